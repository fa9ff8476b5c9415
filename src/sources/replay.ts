import type { Candle } from '../core/candle.js';
import type { Interval } from '../core/intervals.js';
import { CandleSource } from './candle-source.js';
import { mergeByTime } from './merge.js';
import { normalizeCandles, type CandleInput } from './normalize.js';
import { pullFrom, type AnyIterable } from './pull.js';

export interface ReplayOptions {
  /** Base interval of the candles (default '1m'). */
  readonly interval?: Interval;
  /** Called for each duplicate timestamp dropped (first wins). */
  readonly onDuplicate?: (symbol: string, candle: Candle) => void;
}

/**
 * Replays candles per symbol — arrays, iterables or async iterables of candle objects or `[ts, o, h, l, c, v]`
 * rows — merged in time order. Every candle is validated; a bad one fails the stream with an error naming the
 * symbol, index, time and field.
 *
 * @example
 * ```ts
 * replayCandles({ 'ETH/BTC': [[1516424400000, 0.09, 0.091, 0.089, 0.0905, 12.5]] }).subscribe(console.log);
 * ```
 */
export function replayCandles(data: Readonly<Record<string, AnyIterable<CandleInput>>>, options: ReplayOptions = {}): CandleSource {
  const interval = options.interval ?? '1m';
  return new CandleSource(() =>
    mergeByTime(
      Object.entries(data).map(([symbol, input]) => ({
        symbol,
        interval,
        candles: normalizeCandles(Array.isArray(input) ? (input as readonly CandleInput[]) : pullFrom(input), {
          symbol,
          label: symbol,
          validate: true,
          interval,
          onDuplicate: options.onDuplicate && ((c) => options.onDuplicate!(symbol, c)),
        }),
      })),
    ),
  );
}
