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
  /** ccxt's request timeout (ms): how long it waits for the headers of an answer. */
  readonly timeout?: number;
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
 * ccxt's errors that prove the request itself is wrong (an unknown symbol or interval, missing credentials, a
 * parameter the exchange rejects, a method it lacks): asking again cannot help. Matched by class name along the
 * prototype chain, so it works whichever copy of ccxt made the error (`BadSymbol` is a `BadRequest`;
 * `PermissionDenied`, `AccountSuspended` are `AuthenticationError`s).
 */
const CLIENT_ERRORS = new Set(['BadRequest', 'AuthenticationError', 'ArgumentsRequired', 'NotSupported']);

/** Whether `err` is a proven client error (see {@link isTransient}). */
export function isPermanent(err: unknown): boolean {
  for (let p: unknown = err; p !== null && typeof p === 'object'; p = Object.getPrototypeOf(p)) {
    const name = (p as { constructor?: { name?: string } }).constructor?.name;
    if (name !== undefined && CLIENT_ERRORS.has(name)) return true;
    if (name === 'Error' || name === 'Object') break;
  }
  return false;
}

/**
 * Whether a failure is worth another attempt: everything but a proven client error ({@link isPermanent}). Network
 * errors in any wrapping (ccxt's `NetworkError`, undici's `SocketError` or `TypeError: terminated` when the body is
 * cut mid-stream, a plain `ECONNRESET`), timeouts, 429, 5xx, bodies that do not parse, pages that fail tickflow's
 * checks, a clock that cannot be read: a live node must ride them out, so an error nobody classified is retried
 * (and reported) rather than fatal.
 */
export function isTransient(err: unknown): boolean {
  return !isPermanent(err);
}

/** A response that is not a list of valid candle rows (cut short, a `null` row, a row ccxt could not parse). */
export class BadPageError extends Error {
  override readonly name = 'BadPageError';
}

/** A request with no complete answer within its deadline (ccxt's own timeout stops at the headers). */
export class RequestDeadlineError extends Error {
  override readonly name = 'RequestDeadlineError';
}

/**
 * The most a request may take, headers and body: twice ccxt's `timeout` (its default 10 s). ccxt's timeout covers
 * the wait for the headers only; a body that stops arriving (a gzip stream cut off) would otherwise hang the source.
 */
export function requestDeadlineMs(exchange: OhlcvExchange): number {
  const t = exchange.timeout;
  return 2 * (typeof t === 'number' && t > 0 ? t : 10_000);
}

/** Rejects with {@link RequestDeadlineError} when `work` has not settled within `ms` (the request itself is left behind). */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestDeadlineError(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

const queues = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `request` when the exchange's previous request through here has settled: one at a time per exchange object,
 * so `last_http_response` (which the page checks read) belongs to this request.
 */
export function exclusive<T>(exchange: OhlcvExchange, request: () => Promise<T>): Promise<T> {
  const previous = queues.get(exchange) ?? Promise.resolve();
  const run = previous.then(request, request);
  queues.set(
    exchange,
    run.catch(() => undefined),
  );
  return run;
}

/** The most candles one `fetchOHLCV` call may return: ccxt's feature table, capped by `pageSize` if given. */
export function pageLimit(exchange: OhlcvExchange, pageSize?: number): number {
  const features = exchange.features as { spot?: { fetchOHLCV?: { limit?: unknown } } } | undefined;
  const max = features?.spot?.fetchOHLCV?.limit;
  const exchangeMax = typeof max === 'number' && max > 0 ? max : 500;
  return pageSize === undefined ? exchangeMax : Math.max(1, Math.min(pageSize, exchangeMax));
}

/** A clock read that cannot be believed: no answer, an answer that is not a time, or one that disagrees. */
export class ClockError extends Error {
  override readonly name = 'ClockError';
}

export const ExchangeClockOptionsSchema = z.strictObject({
  /** How far an answer may be from what the previous answers and the local clock predict (default 5 s). */
  toleranceMs: z.number().nonnegative().optional(),
  /** Answers that must agree before a new offset from the local clock is believed (default 3, at least 2). */
  confirmations: z.number().int().min(2).optional(),
});

export type ExchangeClockOptions = z.input<typeof ExchangeClockOptionsSchema>;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/**
 * The exchange's clock: `fetchTime()`, checked (or the local clock when the exchange has none). Which candle is
 * closed is the exchange's business: a clock running ahead would let a forming candle through. The rule:
 *
 * - every answer must be a time (a cut-off or missing answer is a {@link ClockError}, never replaced by the local
 *   clock), and arrive within {@link requestDeadlineMs};
 * - its offset from the local clock must lie within `toleranceMs` (5 s) of the offsets of the previous answers;
 * - an answer that does not is asked again at once: when `confirmations` (3) answers agree with each other, the
 *   clocks did move (a local clock stepped, a long pause) and the new offset is believed; otherwise the read fails
 *   with a {@link ClockError} (the caller retries and reports it). The first read needs the same agreement;
 * - the time given is the lower of the answer and the local clock plus the agreed offset, and never goes back:
 *   an answer a few seconds ahead within the tolerance still cannot close a candle early.
 *
 * @example
 * ```ts
 * ccxtLive({ exchange, symbols: ['BTC/USDT'], interval: '1m', pollMs: 2_000, clock: exchangeClock(exchange) })
 * ```
 */
export function exchangeClock(exchange: OhlcvExchange, options: ExchangeClockOptions = {}): () => Promise<number> {
  const { toleranceMs = 5_000, confirmations = 3 } = ExchangeClockOptionsSchema.parse(options);
  const fetchTime = exchange.fetchTime?.bind(exchange);
  if (fetchTime === undefined) return async () => Date.now();
  const what = `${exchange.id} fetchTime`;
  const offsets: number[] = [];
  let last = -Infinity;
  const read = async (): Promise<{ t: number; offset: number }> => {
    const sent = Date.now();
    const t = await withDeadline(fetchTime(), requestDeadlineMs(exchange), what);
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t <= 0) {
      throw new ClockError(`${what}: expected the exchange's time in epoch ms, got ${JSON.stringify(t) ?? String(t)} (an answer cut off?)`);
    }
    return { t, offset: t - (sent + Date.now()) / 2 };
  };
  const agrees = (a: number, b: number) => Math.abs(a - b) <= toleranceMs;
  return async () => {
    let answer = await read();
    if (offsets.length === 0 || !agrees(answer.offset, median(offsets))) {
      const answers = [answer];
      while (answers.length < confirmations) {
        const next = await read();
        if (!agrees(next.offset, answer.offset)) {
          const expected = offsets.length === 0 ? 'the answer before it' : 'the previous answers and the local clock';
          throw new ClockError(
            `${what}: answers disagree: ${isoTime(answer.t)} is ${Math.round(answer.offset - next.offset)} ms away from ` +
              `${isoTime(next.t)} (tolerance ${toleranceMs} ms; ${expected})`,
          );
        }
        answers.push(next);
      }
      offsets.length = 0;
      for (const a of answers) offsets.push(a.offset);
      answer = answers[answers.length - 1]!;
    } else {
      offsets.push(answer.offset);
      if (offsets.length > 5) offsets.shift();
    }
    last = Math.max(last, Math.min(answer.t, Math.floor(Date.now() + median(offsets))));
    return last;
  };
}

/**
 * Reads a clock (the exchange's, or one given in the options) and checks the answer is a time: a clock that returns
 * something else fails the read with a {@link ClockError} instead of passing NaN on as "now".
 */
export async function readClock(clock: () => number | Promise<number>): Promise<number> {
  const t = await clock();
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new ClockError(`clock: expected epoch ms, got ${String(t)}`);
  return t;
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
 * One `fetchOHLCV` page of `[from, to)`, checked at the boundary (SEMANTICS §1) before any cursor moves: the raw
 * body must be a list whose every row is a candle row (ccxt silently drops a `null` row or one it cannot parse: that
 * is a {@link BadPageError}), every candle valid and on its interval's grid (a bad one is a {@link CandleError}
 * naming symbol, time and field), in increasing time; a repeated timestamp, or one before `from`, is dropped as a
 * duplicate and reported; candles at or after `to` (the forming one among them) are not part of the answer. The
 * whole request, body included, must finish within {@link requestDeadlineMs}.
 */
export async function fetchPage(req: PageRequest): Promise<Candle[]> {
  const { exchange, symbol, interval, from, to } = req;
  const where = `${exchange.id} fetchOHLCV ${symbol} ${interval} from ${isoTime(from)}`;
  const { rows, raw } = await exclusive(exchange, async () => {
    const rows = await withDeadline(exchange.fetchOHLCV(symbol, interval, from, req.limit, { until: to - 1 }), requestDeadlineMs(exchange), where);
    return { rows, raw: exchange.last_http_response };
  });
  if (!Array.isArray(rows)) throw new BadPageError(`${where}: expected a list of candles, got ${typeof rows}`);
  checkRawRows(raw, rows.length, from, req.limit, where);
  const out: Candle[] = [];
  let previous = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) throw new BadPageError(`${where}: row ${i} is not a candle row: ${JSON.stringify(row)}`);
    const candle = checkCandle(candleFromRow(row), { symbol, interval, at: () => `${where} row ${i}` });
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

/**
 * The raw body behind `parsed` rows: a list (an empty page whose body is not one was cut short), whose rows are
 * all lists or objects, list rows opening with a time; as many list rows at or after `from` as ccxt returned (up to
 * `limit`). Skipped
 * when ccxt did not keep the body.
 */
function checkRawRows(raw: unknown, parsed: number, from: number, limit: number, where: string): void {
  if (typeof raw !== 'string') return;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  if (!Array.isArray(body)) {
    // ccxt turns a body it cannot parse (cut short) into an empty page, which would read as "no candles here".
    if (parsed === 0) throw new BadPageError(`${where}: the response body is not a JSON list (cut short?)`);
    return;
  }
  let kept = 0;
  for (let i = 0; i < body.length; i++) {
    const row: unknown = body[i];
    if (row === null || typeof row !== 'object') throw new BadPageError(`${where}: row ${i} is not a candle row: ${JSON.stringify(row)}`);
    if (!Array.isArray(row)) continue; // an exchange answering objects: ccxt's own parsing is all there is
    const t = typeof row[0] === 'string' ? Number(row[0]) : row[0];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new BadPageError(`${where}: row ${i} is not a candle row (no open time): ${JSON.stringify(row).slice(0, 200)}`);
    }
    if (t >= from) kept++;
  }
  // ccxt cuts a longer answer to `limit` (one with every row twice, say): only a shorter page lost rows.
  if (kept > parsed && parsed < limit) throw new BadPageError(`${where}: the body has ${kept} rows, ccxt returned ${parsed} (rows it could not read)`);
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
