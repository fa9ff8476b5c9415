/**
 * `tickflow/testing`: small helpers to test strategies and operators with RxJS marble tests.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { map } from 'rxjs';
 * import { averagePrice, resolveConfig, runLane } from 'tickflow';
 * import { candle, eventLabel, marbleCandles } from 'tickflow/testing';
 *
 * new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
 *   const candles = marbleCandles(cold, 'ab|', { a: candle(0, 100), b: candle(1, 100, 102, 99, 101) });
 *   const events = candles.pipe(averagePrice(), runLane(myStrategy, resolveConfig()), map(eventLabel));
 *   expectObservable(events).toBe('-o|', { o: 'opened@2' });
 * });
 * ```
 */
import type { Observable } from 'rxjs';
import { checkCandle, type Candle, type SymbolCandle } from './core/candle.js';
import type { SignalEvent } from './core/events.js';
import { intervalMs, MINUTE_MS, type Interval } from './core/intervals.js';

/** Epoch milliseconds of `n` minutes after 1970-01-01T00:00Z: `minutes(5) === 300_000`. */
export function minutes(n: number): number {
  return n * MINUTE_MS;
}

/** The inverse of {@link minutes}: an epoch-ms instant as minutes since the epoch. */
export function minuteOf(ms: number): number {
  return ms / MINUTE_MS;
}

/**
 * A candle opening at `minute` (minutes since the epoch). `candle(3, 100)` is a flat candle at 100; high, low and
 * close default to the open, volume to 1. The candle is validated, so a typo (low above close…) fails loudly.
 */
export function candle(minute: number, open: number, high = open, low = open, close = open, volume = 1): Candle {
  return checkCandle({ timestamp: minutes(minute), open, high, low, close, volume }, { symbol: 'candle()' });
}

/** `count` flat candles at `price` (open = high = low = close), one per `interval`, from `fromMinute` on. */
export function flatCandles(fromMinute: number, count: number, price: number, options: { interval?: Interval; volume?: number } = {}): Candle[] {
  const step = intervalMs(options.interval ?? '1m') / MINUTE_MS;
  const out: Candle[] = [];
  for (let i = 0; i < count; i++) out.push(candle(fromMinute + i * step, price, price, price, price, options.volume ?? 1));
  return out;
}

export interface CandleSeriesSpec {
  /** Closes, one candle each; each candle opens at the previous close (the first opens at its own close). */
  readonly closes: readonly number[];
  /** Open time of the first candle, in minutes since the epoch (default 0). */
  readonly from?: number;
  /** Spacing of the candles (default '1m'). */
  readonly interval?: Interval;
  /** Volume of every candle (default 1). */
  readonly volume?: number;
  /** High and low extend this many percent beyond the body (default 0). */
  readonly wickPercent?: number;
}

/** Contiguous candles from a list of closes: `candlesFrom({ closes: [100, 101, 99] })`. */
export function candlesFrom(spec: CandleSeriesSpec): Candle[] {
  const step = intervalMs(spec.interval ?? '1m') / MINUTE_MS;
  const from = spec.from ?? 0;
  const wick = (spec.wickPercent ?? 0) / 100;
  return spec.closes.map((close, i) => {
    const open = i === 0 ? close : spec.closes[i - 1]!;
    const high = Math.max(open, close) * (1 + wick);
    const low = Math.min(open, close) * (1 - wick);
    return candle(from + i * step, open, high, low, close, spec.volume ?? 1);
  });
}

/** Candles of one symbol as a source emits them. */
export function symbolCandles(candles: readonly Candle[], symbol = 'TEST', interval: Interval = '1m'): SymbolCandle[] {
  return candles.map((c) => ({ symbol, interval, candle: c }));
}

/** The `cold` (or `hot`) helper of `TestScheduler.run`. */
export type MarbleFactory = <T>(marbles: string, values?: Record<string, T>) => Observable<T>;

/**
 * A marble source of candles: `marbleCandles(cold, 'a-b|', { a: candle(0, 100), b: candle(1, 101) })`.
 * Marble frames are virtual time only; each candle carries its own timestamp.
 */
export function marbleCandles(
  factory: MarbleFactory,
  marbles: string,
  values: Readonly<Record<string, Candle>>,
  options: { symbol?: string; interval?: Interval } = {},
): Observable<SymbolCandle> {
  const symbol = options.symbol ?? 'TEST';
  const interval = options.interval ?? '1m';
  const mapped: Record<string, SymbolCandle> = {};
  for (const [key, c] of Object.entries(values)) mapped[key] = { symbol, interval, candle: c };
  return factory(marbles, mapped);
}

/**
 * A short, readable label of an event for marble expectations: `opened@5`, `closed:take_profit@9`,
 * `cancelled:timeout@121`, `partial_profit:30@7`, `error@3` (the number after `@` is `now` in minutes).
 */
export function eventLabel(event: SignalEvent): string {
  const at = `@${minuteOf(event.now)}`;
  switch (event.action) {
    case 'closed':
      return `closed:${event.closeReason}${at}`;
    case 'cancelled':
      return `cancelled:${event.reason}${at}`;
    case 'partial_profit':
    case 'partial_loss':
      return `${event.action}:${event.level}${at}`;
    default:
      return `${event.action}${at}`;
  }
}
