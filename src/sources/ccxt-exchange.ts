import { z } from 'zod';
import { candleFromRow, checkCandle, CandleError, type Candle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import { sleep } from './retry.js';

/*
 * What tickflow needs from a ccxt exchange, structurally: no runtime import of ccxt here, so loading the sources
 * costs nothing and an exchange from either of ccxt's builds (ESM or CJS) fits.
 */

/** The part of a ccxt `Exchange` the candle sources use. */
export interface OhlcvExchange {
  readonly id: string;
  /** Milliseconds between requests that ccxt's throttle keeps when `enableRateLimit` is on. */
  readonly rateLimit?: number;
  readonly enableRateLimit?: boolean;
  /** ccxt's feature table; `features.spot.fetchOHLCV.limit` is the exchange's page size. */
  readonly features?: unknown;
  fetchOHLCV(symbol: string, timeframe?: string, since?: number, limit?: number, params?: Record<string, unknown>): Promise<unknown[]>;
  fetchTime?(params?: Record<string, unknown>): Promise<number | undefined>;
  /** The last raw response body (ccxt keeps it while `enableLastHttpResponse` is on, its default). */
  readonly last_http_response?: unknown;
}

/** A failed exchange request, naming the exchange, symbol, interval and the time it was reading from. */
export class ExchangeFetchError extends Error {
  override readonly name = 'ExchangeFetchError';
  constructor(
    message: string,
    readonly symbol: string,
    /** Open time of the first candle the request asked for (or the clock read, for a clock failure). */
    readonly timestamp: number,
    /** 1 for the first attempt. */
    readonly attempt: number,
    /** Delay before the next attempt; null when the source gave up (or will not retry this kind of failure). */
    readonly retryInMs: number | null,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const kind = err.constructor?.name && err.constructor.name !== 'Error' ? err.constructor.name : err.name;
    return `${kind}: ${err.message}`;
  }
  return String(err);
}

/**
 * Whether a failure is transient: ccxt's `OperationFailed` family (network errors, timeouts, 429 / DDoS protection,
 * 5xx / exchange not available, bad responses), a response body cut off mid-stream (undici's `TypeError:
 * terminated`, which ccxt lets through unwrapped), or a page that failed tickflow's own checks. Matched by class name
 * along the prototype chain, so it works whichever copy of ccxt made the error.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof BadPageError || err instanceof CandleError) return true;
  if (err instanceof TypeError) return /terminated|fetch failed|socket|closed|aborted/i.test(err.message);
  for (let p: unknown = err; p !== null && typeof p === 'object'; p = Object.getPrototypeOf(p)) {
    const name = (p as { constructor?: { name?: string } }).constructor?.name;
    if (name === 'OperationFailed') return true;
    if (name === 'Error' || name === 'Object') break;
  }
  return false;
}

/** A response that is not a list of candle rows (e.g. a body cut short that ccxt could not parse). */
export class BadPageError extends Error {
  override readonly name = 'BadPageError';
}

/** The most candles one `fetchOHLCV` call may return: ccxt's feature table, capped by `pageSize` if given. */
export function pageLimit(exchange: OhlcvExchange, pageSize?: number): number {
  const features = exchange.features as { spot?: { fetchOHLCV?: { limit?: unknown } } } | undefined;
  const max = features?.spot?.fetchOHLCV?.limit;
  const exchangeMax = typeof max === 'number' && max > 0 ? max : 500;
  return pageSize === undefined ? exchangeMax : Math.max(1, Math.min(pageSize, exchangeMax));
}

/**
 * The exchange's clock: `fetchTime()` on every call (or the local clock when the exchange has none). Which candle
 * is still forming is the exchange's business: a local clock running ahead would let a forming candle through.
 *
 * @example
 * ```ts
 * ccxtLive({ exchange, symbols: ['BTC/USDT'], interval: '1m', pollMs: 2_000, clock: exchangeClock(exchange) })
 * ```
 */
export function exchangeClock(exchange: OhlcvExchange): () => Promise<number> {
  return async () => {
    const t = exchange.fetchTime ? await exchange.fetchTime() : undefined;
    return typeof t === 'number' && Number.isFinite(t) ? t : Date.now();
  };
}

/** Keeps `minGapMs` between requests: the exchange's `rateLimit` when ccxt's own throttle is switched off. */
export class Pacer {
  private next = 0;
  constructor(private readonly minGapMs: number) {}

  static for(exchange: OhlcvExchange): Pacer {
    return new Pacer(exchange.enableRateLimit === false ? (exchange.rateLimit ?? 0) : 0);
  }

  async wait(signal?: AbortSignal): Promise<void> {
    if (this.minGapMs <= 0) return;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.minGapMs;
    await sleep(at - now, signal);
  }
}

export interface PageRequest {
  readonly exchange: OhlcvExchange;
  readonly symbol: string;
  readonly interval: Interval;
  /** `[from, to)`: open times of the candles wanted. */
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly onDuplicate?: (symbol: string, candle: Candle) => void;
}

/**
 * One `fetchOHLCV` page of `[from, to)`, checked at the boundary (SEMANTICS §1): every candle valid (a bad one is a
 * {@link CandleError} naming symbol, time and field), in increasing time; a repeated timestamp, or one before
 * `from`, is dropped as a duplicate and reported; candles at or after `to` (the forming one among them) are not
 * part of the answer.
 */
export async function fetchPage(req: PageRequest): Promise<Candle[]> {
  const { exchange, symbol, interval, from, to } = req;
  const rows = await exchange.fetchOHLCV(symbol, interval, from, req.limit, { until: to - 1 });
  const where = `${exchange.id} fetchOHLCV ${symbol} ${interval} from ${isoTime(from)}`;
  if (!Array.isArray(rows)) throw new BadPageError(`${where}: expected a list of candles, got ${typeof rows}`);
  if (rows.length === 0 && !isJsonList(exchange.last_http_response)) {
    // ccxt turns a body it cannot parse (cut short) into an empty page, which would read as "no candles here".
    throw new BadPageError(`${where}: the response body is not a JSON list (cut short?)`);
  }
  const out: Candle[] = [];
  let previous = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) throw new BadPageError(`${where}: row ${i} is not a candle row: ${JSON.stringify(row)}`);
    const candle = checkCandle(candleFromRow(row), { symbol, at: () => `${where} row ${i}` });
    const t = candle.timestamp;
    if (t < previous) {
      throw new CandleError(
        `${where} row ${i}: out-of-order candle for ${symbol} at ${isoTime(t)} (${t}): field 'timestamp' must be after ` +
          `the previous row's ${isoTime(previous)}`,
        symbol,
        t,
        'timestamp',
      );
    }
    if (t === previous || t < from) {
      req.onDuplicate?.(symbol, candle);
      continue;
    }
    previous = t;
    if (t < to) out.push(candle);
  }
  return out;
}

/** Whether a raw body is a JSON list — or unknown (not kept), which must not be held against it. */
function isJsonList(body: unknown): boolean {
  if (typeof body !== 'string') return true;
  try {
    return Array.isArray(JSON.parse(body));
  } catch {
    return false;
  }
}

/** Formats a failed attempt for {@link ExchangeFetchError}. */
export function fetchFailure(
  exchange: OhlcvExchange,
  symbol: string,
  interval: Interval,
  from: number,
  err: unknown,
  attempt: number,
  retryInMs: number | null,
): ExchangeFetchError {
  const next = retryInMs === null ? 'giving up' : `retrying in ${retryInMs} ms`;
  return new ExchangeFetchError(
    `${exchange.id} ${symbol} ${interval} from ${isoTime(from)} (${from}): attempt ${attempt} failed: ${describe(err)}; ${next}`,
    symbol,
    from,
    attempt,
    retryInMs,
    { cause: err },
  );
}

/** Open time of the candle containing `t` (the one still forming at `t`). */
export function slotOf(t: number, interval: Interval): number {
  const ms = intervalMs(interval);
  return Math.floor(t / ms) * ms;
}

/** A ccxt exchange as the sources need it: anything with `fetchOHLCV` (validated where options come in). */
export const OhlcvExchangeSchema = z.custom<OhlcvExchange>(
  (e) => typeof e === 'object' && e !== null && typeof (e as OhlcvExchange).fetchOHLCV === 'function',
  'expected a ccxt exchange (an object with fetchOHLCV)',
);

/** An option that must be a function (callbacks such as `onError`). */
export const functionOption = <T>() => z.custom<T>((f) => typeof f === 'function', 'expected a function');
