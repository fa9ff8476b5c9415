import { catchError, concat, defer, EMPTY, Observable, throwError, type MonoTypeOperatorFunction } from 'rxjs';
import type { Candle, SymbolCandle } from '../core/candle.js';
import type { EventOf } from '../core/events.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import { ccxtCandles } from '../sources/ccxt-history.js';
import { ExchangeFetchError, type OhlcvExchange } from '../sources/ccxt-exchange.js';
import { ccxtLive } from '../sources/ccxt-live.js';
import type { FlowGate } from '../core/flow-gate.js';
import type { RetryOptions } from '../sources/retry.js';
import type { CandleCache } from '../store/types.js';

/** A failed exchange request as an `error` event: the symbol, the time it was reading from, the cause. */
export function sourceErrorEvent(err: ExchangeFetchError): EventOf<'error'> {
  return {
    action: 'error',
    eventId: `*|${err.symbol}|source:${err.timestamp}|error:${err.attempt}`,
    symbol: err.symbol,
    strategy: '*',
    now: err.timestamp,
    message: err.message,
  };
}

export interface LiveCandlesOptions {
  readonly exchange: OhlcvExchange;
  readonly symbols: readonly string[];
  readonly interval: Interval;
  /** Per symbol, open time of the first candle the lanes need. */
  readonly since: Readonly<Record<string, number>>;
  /** Candles of history loaded before `since` (into the price history only). */
  readonly warmup: number;
  readonly cache: CandleCache;
  readonly clock: () => number | Promise<number>;
  /** The exchange's time when the node started (the warm-up never asks for later candles). */
  readonly startedAt: number;
  readonly pollMs: number;
  readonly retry?: Omit<RetryOptions, 'maxRetries'>;
  readonly settleMs?: number;
  readonly pageSize?: number;
  readonly gate: FlowGate;
  readonly onError: (err: ExchangeFetchError) => void;
  /** Each candle the exchange sent twice (dropped: the first wins). */
  readonly onDuplicate?: (symbol: string, candle: Candle) => void;
  /** A batch of live candles could not be cached (the run goes on: the cache only saves requests). */
  readonly onCacheError: (symbol: string, from: number, err: unknown) => void;
  /** Each warm-up candle, before it goes on. */
  readonly onWarmup?: (candle: SymbolCandle) => void;
  /** Called once the warm-up is loaded and live polling begins. */
  readonly onLive?: () => void;
}

/** A history source never gives up on a transient failure while a node is starting: it reports and retries. */
const FOREVER = 1_000_000_000;

/**
 * The price history before `since`, symbol after symbol (order across symbols does not matter: no lane acts on
 * these candles), from the candle cache where it has them and from the exchange (then cached) where not. Transient
 * failures are retried for ever; a symbol the exchange refuses for good (already reported with `retryInMs: null`)
 * is left without warm-up and the others go on — live polling reports it again and drops it.
 */
export function warmupCandles(o: LiveCandlesOptions): Observable<SymbolCandle> {
  if (o.warmup <= 0) return EMPTY;
  const step = intervalMs(o.interval);
  return concat(
    ...o.symbols.map((symbol): Observable<SymbolCandle> => {
      const until = o.since[symbol]!;
      const since = Math.max(0, until - o.warmup * step);
      if (since >= until) return EMPTY;
      return ccxtCandles({
        exchange: o.exchange,
        symbol,
        interval: o.interval,
        since,
        until,
        store: { candles: o.cache },
        clock: () => o.startedAt,
        pageSize: o.pageSize,
        retry: { ...o.retry, maxRetries: FOREVER },
        settleMs: o.settleMs,
        onError: o.onError,
        onDuplicate: o.onDuplicate,
        onCacheError: o.onCacheError,
      })
        .withGate(o.gate)
        .pipe(catchError((err: unknown) => (err instanceof ExchangeFetchError && err.retryInMs === null ? EMPTY : throwError(() => err))));
    }),
  );
}

/**
 * Writes live candles into the candle cache, a batch per burst (one transaction per symbol, not one per candle),
 * with the range they prove fetched: everything between the symbol's `since` and its newest candle either arrived
 * or is a real gap, because the live source only moves past a slot once the exchange has published a later one or
 * confirmed a gap (gap-rule.ts). A restart then warms up from the cache instead of the exchange. A batch that could
 * not be written (a full disk) is reported and its range stays uncovered: the next covered range starts at the
 * next batch, so coverage only ever advances over what was written.
 */
export function cacheLiveCandles(
  cache: CandleCache,
  interval: Interval,
  since: Readonly<Record<string, number>>,
  onError: (symbol: string, from: number, err: unknown) => void,
): MonoTypeOperatorFunction<SymbolCandle> {
  const step = intervalMs(interval);
  return (source) =>
    new Observable<SymbolCandle>((subscriber) => {
      const pending = new Map<string, Candle[]>();
      const coveredTo = new Map(Object.entries(since));
      let scheduled: NodeJS.Immediate | null = null;
      const flush = () => {
        scheduled = null;
        for (const [symbol, candles] of pending) {
          const from = coveredTo.get(symbol) ?? candles[0]!.timestamp;
          const to = candles[candles.length - 1]!.timestamp + step;
          try {
            cache.putCandles(symbol, interval, candles, { from, to });
            coveredTo.set(symbol, to);
          } catch (err) {
            // The batch is not in the cache: what follows must not be covered from before it.
            coveredTo.delete(symbol);
            onError(symbol, from, err);
          }
        }
        pending.clear();
      };
      const subscription = source.subscribe({
        next: (c) => {
          let list = pending.get(c.symbol);
          if (list === undefined) {
            list = [];
            pending.set(c.symbol, list);
          }
          list.push(c.candle);
          // After the burst: a backfill page becomes one write, a quiet minute one write per symbol.
          scheduled ??= setImmediate(flush);
          subscriber.next(c);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          if (scheduled !== null) clearImmediate(scheduled);
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        if (scheduled !== null) {
          clearImmediate(scheduled);
          flush();
        }
      };
    });
}

/** Live candles from `since`, each symbol's gap backfilled first, then polled as they close. */
export function pollCandles(o: LiveCandlesOptions): Observable<SymbolCandle> {
  return defer(() => {
    o.onLive?.();
    return ccxtLive({
      exchange: o.exchange,
      symbols: [...o.symbols],
      interval: o.interval,
      since: { ...o.since },
      pollMs: o.pollMs,
      clock: o.clock,
      retry: o.retry,
      settleMs: o.settleMs,
      pageSize: o.pageSize,
      onError: o.onError,
      onDuplicate: o.onDuplicate,
    }).withGate(o.gate);
  }).pipe(cacheLiveCandles(o.cache, o.interval, o.since, o.onCacheError));
}

/** Describes a failed cache write for an `error` event. */
export function cacheErrorEvent(symbol: string, from: number, err: unknown): EventOf<'error'> {
  const cause = err instanceof Error ? err.message : String(err);
  return {
    action: 'error',
    eventId: `*|${symbol}|cache:${from}|error`,
    symbol,
    strategy: '*',
    now: from,
    message: `caching live candles of ${symbol} from ${isoTime(from)} (${from}) failed (the run goes on): ${cause}`,
  };
}
