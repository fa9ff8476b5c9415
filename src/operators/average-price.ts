import { Observable, type OperatorFunction } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { Bar } from '../core/lane.js';
import { BarBook, type AveragePriceOptions } from '../engine/bar-book.js';
import { forward } from '../engine/forward.js';

export type { AveragePriceOptions } from '../engine/bar-book.js';

/**
 * Turns closed candles into {@link Bar}s: advances the clock to the candle's close, records it in the symbol's
 * bounded history and computes the current price (volume-weighted typical price of the last N candles).
 *
 * @example
 * ```ts
 * replayCandles({ 'ETH/BTC': candles }).pipe(averagePrice({ avgPriceCandles: 5 }))
 *   .subscribe((bar) => console.log(bar.now, bar.price));
 * ```
 */
export function averagePrice(options: AveragePriceOptions = {}): OperatorFunction<SymbolCandle, Bar> {
  return (source) =>
    new Observable<Bar>((subscriber) => {
      const bars = new BarBook(options);
      return forward(subscriber, source, {
        // A candle whose interval contradicts its symbol's history throws: forward() turns that into the error.
        next: (c) => subscriber.next(bars.bar(c.symbol, c.interval, c.candle)),
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
