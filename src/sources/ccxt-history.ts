import { z } from 'zod';
import type { Candle } from '../core/candle.js';
import { intervalMs, IntervalSchema, type Interval } from '../core/intervals.js';
import { splitRange } from '../store/ranges.js';
import type { CandleCache } from '../store/types.js';
import { CandleSource } from './candle-source.js';
import {
  exchangeClock,
  fetchFailure,
  readClock,
  fetchPage,
  isTransient,
  pageLimit,
  Pacer,
  slotOf,
  type ExchangeFetchError,
  type OhlcvExchange,
  OhlcvExchangeSchema,
  functionOption,
} from './ccxt-exchange.js';
import { GAP_ANSWERS, gapRule } from './gap-rule.js';
import { mergeByTime } from './merge.js';
import type { Pull } from './pull.js';
import { Aborted, retrying, RetryOptionsSchema, type RetryOptions } from './retry.js';
import { parseOrThrow } from '../core/problems.js';

export const CcxtCandlesOptionsSchema = z.strictObject({
  exchange: OhlcvExchangeSchema,
  /** One symbol, or several merged in time order (ties by symbol). */
  symbol: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  interval: IntervalSchema,
  /** Open time of the first candle wanted (epoch ms). */
  since: z.number().int().nonnegative(),
  /** Candles opening before this (exclusive); default: every candle closed by now. */
  until: z.number().int().nonnegative().optional(),
  /** Cache: later runs read what was fetched from here and fetch only the missing ranges. */
  store: z.custom<{ readonly candles: CandleCache }>((s) => typeof s === 'object' && s !== null && 'candles' in s).optional(),
  /** The exchange's time, which decides which candle is still forming; default {@link exchangeClock}. */
  clock: functionOption<() => number | Promise<number>>().optional(),
  /** Candles per request, at most the exchange's own limit (which is the default). */
  pageSize: z.number().int().positive().optional(),
  retry: RetryOptionsSchema.optional(),
  /**
   * How long after a candle closes the exchange is trusted to have published it (default 10 s): an empty answer
   * for slots younger than that is not remembered as a gap.
   */
  settleMs: z.number().nonnegative().optional(),
  /** Consecutive empty answers for settled slots before they are believed a gap (default 3; see gap-rule.ts). */
  gapAnswers: z.number().int().positive().optional(),
  /** Each failed request (retried or not). */
  onError: functionOption<(err: ExchangeFetchError) => void>().optional(),
  /** Each duplicate candle dropped (first wins). */
  onDuplicate: functionOption<(symbol: string, candle: Candle) => void>().optional(),
  /**
   * A batch of fetched candles could not be cached (a full disk): the candles still go on, and their range is not
   * recorded as fetched. Without it the write error ends the stream.
   */
  onCacheError: functionOption<(symbol: string, from: number, err: unknown) => void>().optional(),
});

export type CcxtCandlesOptions = z.input<typeof CcxtCandlesOptionsSchema>;

interface SeriesContext {
  readonly options: z.output<typeof CcxtCandlesOptionsSchema>;
  readonly symbol: string;
  readonly limit: number;
  readonly pacer: Pacer;
  readonly signal: AbortSignal;
}

/** Retries for one request, reporting each failure; gives up with the error naming symbol, time and attempt. */
function withRetries<T>(ctx: SeriesContext, from: number, run: () => Promise<T>): Promise<T> {
  const { options, symbol, signal } = ctx;
  const { exchange, interval } = options;
  const retry: RetryOptions = { maxRetries: 5, ...options.retry };
  let last: ExchangeFetchError | undefined;
  return retrying(run, retry, {
    retryable: isTransient,
    onFailure: (err, attempt, retryInMs) => {
      last = fetchFailure(exchange, symbol, interval, from, err, attempt, retryInMs);
      options.onError?.(last);
    },
    signal,
  }).catch((err: unknown) => {
    // The exchange's own error is the `cause` of the one thrown.
    throw err instanceof Aborted || last === undefined ? err : last;
  });
}

/** One page of `[from, to)` with retries and the gap rule (an empty answer for settled slots is asked again). */
function page(ctx: SeriesContext, from: number, to: number, trustedEnd: number): Promise<Candle[]> {
  const { options, symbol, signal } = ctx;
  const { exchange, interval } = options;
  const believe = gapRule(options.gapAnswers ?? GAP_ANSWERS);
  return withRetries(ctx, from, async () => {
    await ctx.pacer.wait(signal);
    const candles = await fetchPage({ exchange, symbol, interval, from, to, limit: ctx.limit, onDuplicate: options.onDuplicate });
    return believe(candles, from, trustedEnd);
  });
}

/**
 * Caches `candles` with the range they prove fetched. A failed write (a full disk) is reported and the range left
 * uncovered: coverage only ever advances over what was written.
 */
function cachePage(ctx: SeriesContext, candles: readonly Candle[], range: { from: number; to: number }): void {
  const { options, symbol } = ctx;
  const cache = options.store?.candles;
  if (cache === undefined) return;
  try {
    cache.putCandles(symbol, options.interval, candles, range);
  } catch (err) {
    if (options.onCacheError === undefined) throw err;
    options.onCacheError(symbol, range.from, err);
  }
}

/** Fetch `[from, to)` page by page, caching each page with the range it proves, and yield its candles. */
async function* fetchRange(ctx: SeriesContext, from: number, to: number, trustedEnd: number): AsyncGenerator<Candle> {
  const step = intervalMs(ctx.options.interval);
  let cursor = from;
  while (cursor < to) {
    const candles = await page(ctx, cursor, to, trustedEnd);
    if (candles.length === 0) {
      // Nothing in [cursor, to), by the gap rule: a gap — but only remembered for slots old enough to be final.
      const end = Math.min(to, trustedEnd);
      if (end > cursor) cachePage(ctx, [], { from: cursor, to: end });
      return;
    }
    const next = candles[candles.length - 1]!.timestamp + step;
    // Every slot up to the last candle is final: the exchange published a later one.
    cachePage(ctx, candles, { from: cursor, to: next });
    yield* candles;
    cursor = next;
  }
}

/** One symbol's candles of `[since, until)`: cached ranges from the store, the rest from the exchange. */
async function* series(ctx: SeriesContext): AsyncGenerator<Candle> {
  const { options, symbol } = ctx;
  const { interval } = options;
  const step = intervalMs(interval);
  // The clock is a request too: retried and reported like a page, never replaced by the local clock.
  const clock = options.clock ?? exchangeClock(options.exchange);
  const now = await withRetries(ctx, options.since, () => readClock(clock));
  const closedEnd = slotOf(now, interval); // the candle opening here is still forming
  const trustedEnd = slotOf(now - (options.settleMs ?? 10_000), interval);
  const from = Math.ceil(options.since / step) * step;
  const to = Math.min(options.until ?? Infinity, closedEnd);
  if (from >= to) return;
  const cache = options.store?.candles;
  const pieces = cache ? splitRange(from, to, cache.coveredRanges(symbol, interval, from, to)) : [{ from, to, cached: false }];
  for (const piece of pieces) {
    if (ctx.signal.aborted) return;
    if (!piece.cached) {
      yield* fetchRange(ctx, piece.from, piece.to, trustedEnd);
      continue;
    }
    // A cached record that turns out unreadable is quarantined; its slot is fetched again, in its place in time.
    const holes: number[] = [];
    for (const candle of cache!.readCandles(symbol, interval, piece.from, piece.to, (t) => holes.push(t))) {
      while (holes.length > 0 && holes[0]! < candle.timestamp) {
        const t = holes.shift()!;
        yield* fetchRange(ctx, t, t + step, trustedEnd);
      }
      yield candle;
    }
    for (const t of holes) yield* fetchRange(ctx, t, t + step, trustedEnd);
  }
}

function pullOf(ctx: Omit<SeriesContext, 'signal'>): Pull<Candle> {
  const abort = new AbortController();
  const it = series({ ...ctx, signal: abort.signal });
  return {
    next: () => it.next(),
    close: async () => {
      abort.abort();
      await it.return(undefined);
    },
  };
}

/**
 * Historical candles from a ccxt exchange (SEMANTICS §1): pages through `fetchOHLCV` within the exchange's
 * per-call limit (ccxt's throttle keeps its `rateLimit`; with `enableRateLimit` off, tickflow spaces requests by
 * it), validates every candle (on its interval's grid; a `null` row or one ccxt could not read fails the page),
 * drops duplicates, never emits the still-forming candle, and retries every failure but a proven client error
 * (network, timeout, 429, 5xx, a cut-off or stalled body, a bad page, an unreadable clock, an empty page for
 * settled slots) with bounded exponential backoff, reporting each to `onError`; a failure that persists ends the
 * stream with an error naming the symbol and time.
 *
 * With a `store`, fetched candles and the ranges they cover are cached: a later run reads them from LMDB and asks
 * the exchange only for what is missing. Gaps (no trades) are remembered as gaps when the exchange confirms them
 * (gap-rule.ts); a page that cannot be written (`onCacheError`) is not recorded as fetched.
 *
 * @example
 * ```ts
 * import ccxt from 'ccxt';
 * import { ccxtCandles } from 'tickflow/ccxt';
 * import { openStore } from 'tickflow/lmdb';
 *
 * const source = ccxtCandles({
 *   exchange: new ccxt.binance(), symbol: 'BTC/USDT', interval: '1m',
 *   since: Date.UTC(2024, 0, 1), until: Date.UTC(2024, 1, 1), store: openStore({ path: './cache' }),
 * });
 * backtest({ source, strategies: [myStrategy] }).subscribe(console.log);
 * ```
 */
export function ccxtCandles(options: CcxtCandlesOptions): CandleSource {
  const opts = parseOrThrow(CcxtCandlesOptionsSchema, options, 'ccxtCandles', (line) => new Error(line));
  const symbols: readonly string[] = typeof opts.symbol === 'string' ? [opts.symbol] : opts.symbol;
  const limit = pageLimit(opts.exchange, opts.pageSize);
  const interval: Interval = opts.interval;
  return new CandleSource(() => {
    // One pacer per run: requests of all symbols share the exchange's rate limit.
    const pacer = Pacer.for(opts.exchange);
    return mergeByTime(symbols.map((symbol) => ({ symbol, interval, candles: pullOf({ options: opts, symbol, limit, pacer }) })));
  });
}
