import { z } from 'zod';
import type { Candle, SymbolCandle } from '../core/candle.js';
import { intervalMs, IntervalSchema } from '../core/intervals.js';
import { CandleSource } from './candle-source.js';
import {
  ExchangeFetchError,
  exchangeClock,
  fetchFailure,
  fetchPage,
  isTransient,
  readClock,
  pageLimit,
  Pacer,
  slotOf,
  type OhlcvExchange,
  OhlcvExchangeSchema,
  functionOption,
} from './ccxt-exchange.js';
import { GAP_ANSWERS, gapRule } from './gap-rule.js';
import type { Pull } from './pull.js';
import { Aborted, retrying, RetryOptionsSchema, sleep, type RetryOptions } from './retry.js';
import { parseOrThrow } from '../core/problems.js';

export const CcxtLiveOptionsSchema = z.strictObject({
  exchange: OhlcvExchangeSchema,
  symbols: z.array(z.string().min(1)).min(1),
  interval: IntervalSchema,
  /**
   * Open time of the first candle wanted, for all symbols or per symbol — after a restart, the candle after the
   * last one processed: everything missed since is backfilled first. Default: the candle forming now (the first
   * emitted is the next to close).
   */
  since: z.union([z.number().int().nonnegative(), z.record(z.string(), z.number().int().nonnegative())]).optional(),
  /** How often to ask for newly closed candles. */
  pollMs: z.number().positive(),
  /** The exchange's time, which decides which candle is still forming; default {@link exchangeClock}. */
  clock: functionOption<() => number | Promise<number>>().optional(),
  pageSize: z.number().int().positive().optional(),
  /** Backoff for failed requests (attempts never run out: a live source keeps trying; delays are bounded). */
  retry: RetryOptionsSchema.omit({ maxRetries: true }).optional(),
  /** How long after a candle closes the exchange is trusted to have published it (default 10 s). */
  settleMs: z.number().nonnegative().optional(),
  /** Consecutive empty answers for settled slots before they are believed a gap (default 3; see gap-rule.ts). */
  gapAnswers: z.number().int().positive().optional(),
  /** Each failed request; the live pipeline turns them into `error` events. */
  onError: functionOption<(err: ExchangeFetchError) => void>().optional(),
  onDuplicate: functionOption<(symbol: string, candle: Candle) => void>().optional(),
});

export type CcxtLiveOptions = z.input<typeof CcxtLiveOptionsSchema>;

interface SymbolCursor {
  readonly symbol: string;
  /** Open time of the next candle to fetch: everything before it was fetched (or is a settled gap). */
  cursor: number;
  /** Fetched, not yet emitted (bounded: a symbol ahead of the others stops fetching). */
  readonly buffer: Candle[];
  /** The exchange refused this symbol for good (a proven client error): reported, no longer polled. */
  dropped?: ExchangeFetchError;
}

/**
 * The polling loop. Each round fetches, for every symbol that is behind, one page of its newly closed candles; then
 * it releases, merged by time (ties by symbol), every buffered candle older than the slowest symbol's cursor — so
 * candles come out in true time order across symbols however the exchange answered, and a backfill of days never
 * holds more than a page per symbol in memory.
 */
function livePull(options: z.output<typeof CcxtLiveOptionsSchema>): Pull<SymbolCandle> {
  const { exchange, interval } = options;
  const step = intervalMs(interval);
  const limit = pageLimit(exchange, options.pageSize);
  const clock = options.clock ?? exchangeClock(exchange);
  const retry: RetryOptions = { ...options.retry, maxRetries: Infinity };
  const settle = options.settleMs ?? 10_000;
  const pacer = Pacer.for(exchange);
  const abort = new AbortController();
  const { signal } = abort;
  const symbols = [...options.symbols].sort();
  let cursors: SymbolCursor[] | null = null;
  const ready: SymbolCandle[] = [];

  const report = (err: ExchangeFetchError) => {
    try {
      options.onError?.(err);
    } catch {
      // A failing reporter must not stop the source.
    }
  };

  const attempt = <T>(symbol: string, from: number, run: () => Promise<T>): Promise<T> => {
    let last: ExchangeFetchError | undefined;
    return retrying(run, retry, {
      retryable: isTransient,
      onFailure: (err, n, retryInMs) => {
        last = fetchFailure(exchange, symbol, interval, from, err, n, retryInMs);
        report(last);
      },
      signal,
    }).catch((err: unknown) => {
      throw err instanceof Aborted || last === undefined ? err : last;
    });
  };

  // The clock is the exchange's (a request too): its failures are retried and reported like any other.
  const now = () => attempt('*', Date.now(), () => readClock(clock));

  const start = async (): Promise<SymbolCursor[]> => {
    const since = options.since;
    const current = typeof since === 'number' ? undefined : slotOf(await now(), interval);
    return symbols.map((symbol) => {
      const s = typeof since === 'number' ? since : (since?.[symbol] ?? current!);
      return { symbol, cursor: Math.ceil(s / step) * step, buffer: [] };
    });
  };

  /**
   * One page for a symbol that is behind; whether it brought candles. The cursor moves only over candles that
   * passed every check, or over a gap the exchange confirmed (gap-rule.ts).
   */
  const fetchBehind = async (lane: SymbolCursor, closedEnd: number, trustedEnd: number): Promise<boolean> => {
    const from = lane.cursor;
    const believe = gapRule(options.gapAnswers ?? GAP_ANSWERS);
    const candles = await attempt(lane.symbol, from, async () => {
      await pacer.wait(signal);
      const page = await fetchPage({ exchange, symbol: lane.symbol, interval, from, to: closedEnd, limit, onDuplicate: options.onDuplicate });
      return believe(page, from, trustedEnd);
    });
    if (candles.length > 0) {
      lane.buffer.push(...candles);
      lane.cursor = candles[candles.length - 1]!.timestamp + step;
      return true;
    }
    // A confirmed gap up to the settled slots; newer ones may not be published yet — ask again next round.
    lane.cursor = Math.max(lane.cursor, Math.min(closedEnd, trustedEnd));
    return false;
  };

  /**
   * {@link fetchBehind}, except that a proven client error (an unknown symbol, a refused key) drops the symbol —
   * reported, the other symbols go on; the source fails only when no symbol is left.
   */
  const poll = async (lane: SymbolCursor, all: SymbolCursor[], closedEnd: number, trustedEnd: number): Promise<boolean> => {
    try {
      return await fetchBehind(lane, closedEnd, trustedEnd);
    } catch (err) {
      if (err instanceof Aborted) throw err;
      const failure = err instanceof ExchangeFetchError ? err : fetchFailure(exchange, lane.symbol, interval, lane.cursor, err, 1, null);
      lane.dropped = failure;
      lane.buffer.length = 0;
      if (all.every((l) => l.dropped !== undefined)) throw Object.assign(failure, { userError: true });
      return true;
    }
  };

  /** Move every buffered candle older than the slowest cursor to `ready`, in time order (ties by symbol). */
  const release = (all: SymbolCursor[]) => {
    let watermark = Infinity;
    for (const l of all) if (l.dropped === undefined) watermark = Math.min(watermark, l.cursor);
    const out: SymbolCandle[] = [];
    for (const l of all) {
      let k = 0;
      while (k < l.buffer.length && l.buffer[k]!.timestamp < watermark) {
        out.push({ symbol: l.symbol, interval, candle: l.buffer[k]! });
        k++;
      }
      l.buffer.splice(0, k);
    }
    out.sort((a, b) => a.candle.timestamp - b.candle.timestamp || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    ready.push(...out);
  };

  const round = async (): Promise<void> => {
    cursors ??= await start();
    for (;;) {
      if (signal.aborted) return;
      const t = await now();
      const closedEnd = slotOf(t, interval);
      const trustedEnd = slotOf(t - settle, interval);
      let progressed = false;
      for (const c of cursors) {
        if (c.dropped !== undefined || c.cursor >= closedEnd || c.buffer.length >= limit) continue;
        if (await poll(c, cursors, closedEnd, trustedEnd)) progressed = true;
        if (signal.aborted) return;
      }
      release(cursors);
      if (ready.length > 0) return;
      // Caught up, or waiting for a candle not yet published: wait for the next poll. (After progress, a symbol
      // still behind holds the others back: fetch it at once.)
      if (!progressed) await sleep(options.pollMs, signal);
    }
  };

  let head = 0;
  const DONE: IteratorResult<SymbolCandle> = { done: true, value: undefined };
  return {
    next: async () => {
      if (head >= ready.length) {
        ready.length = 0;
        head = 0;
        try {
          await round();
        } catch (err) {
          if (err instanceof Aborted) return DONE;
          throw err;
        }
        if (signal.aborted) return DONE;
      }
      return { done: false, value: ready[head++]! };
    },
    close: () => abort.abort(),
  };
}

/**
 * Live candles from a ccxt exchange by polling (SEMANTICS §1, §11): every `pollMs` it asks for the candles that
 * closed since the last one, emitting only **closed** candles (never the forming one, by the exchange's clock) in
 * time order across symbols. Duplicates are dropped; a gap since `since` (a pause, a restart after the last
 * checkpointed candle) is backfilled page by page first. Network errors, timeouts, 429s, 5xx, cut-off bodies and
 * bad pages, empty pages for settled slots (until the exchange confirms a gap, gap-rule.ts) and clock failures are
 * retried forever with bounded exponential backoff, each failure reported to `onError` — the source itself never
 * stops for them. A proven client error (an unknown symbol, a refused key) is reported with `retryInMs: null` and
 * drops that symbol; the others go on, and the source ends with that error only when none is left. Unsubscribing
 * stops polling.
 *
 * @example
 * ```ts
 * import ccxt from 'ccxt';
 * import { ccxtLive } from 'tickflow/ccxt';
 *
 * ccxtLive({
 *   exchange: new ccxt.binance(), symbols: ['BTC/USDT', 'ETH/USDT'], interval: '1m', pollMs: 2_000,
 *   since: lastProcessed + 60_000, onError: (err) => console.error(err.message),
 * }).subscribe(({ symbol, candle }) => console.log(symbol, candle.timestamp));
 * ```
 */
export function ccxtLive(options: CcxtLiveOptions): CandleSource {
  const opts = parseOrThrow(CcxtLiveOptionsSchema, options, 'ccxtLive', (line) => new Error(line));
  return new CandleSource(() => livePull(opts));
}
