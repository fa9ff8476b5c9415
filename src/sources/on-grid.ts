import { checkCandle, isOnGrid, type Candle } from '../core/candle.js';
import type { Interval } from '../core/intervals.js';
import { isPromise, type Pull } from './pull.js';

/**
 * The candles of `input`, each checked to lie on the grid of `interval` (an off-grid candle is invalid: a
 * {@link CandleError} naming `label`, the symbol, the time and the field). For readers whose interval is known only
 * after peeking at the first candles; a reader that knows it up front passes it to its own validation instead.
 */
export function onGrid(input: Pull<Candle>, symbol: string, interval: Interval, label: string): Pull<Candle> {
  const check = (r: IteratorResult<Candle>): IteratorResult<Candle> => {
    if (!r.done && !isOnGrid(r.value.timestamp, interval)) checkCandle(r.value, { symbol, at: label, interval });
    return r;
  };
  return {
    next() {
      const r = input.next();
      return isPromise(r) ? r.then(check) : check(r);
    },
    close: input.close ? () => input.close!() : undefined,
  };
}
