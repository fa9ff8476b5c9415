import { Observable, type OperatorFunction } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import { CandleHistory } from '../core/history.js';
import { intervalMs } from '../core/intervals.js';
import type { Bar } from '../core/lane.js';
import { forward } from './forward.js';

export interface AveragePriceOptions {
  /** Candles in the VWAP window (default 5, SEMANTICS §2). */
  readonly avgPriceCandles?: number;
  /** Candles of history kept per symbol for `ctx.candles()` (default 10 080: a week of 1m). */
  readonly historyCandles?: number;
}

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
  const window = options.avgPriceCandles ?? 5;
  const capacity = Math.max(options.historyCandles ?? 10_080, window);
  return (source) =>
    new Observable<Bar>((subscriber) => {
      const histories = new Map<string, CandleHistory>();
      // Runs of the same symbol are the common case (one symbol, or a merge of few): skip the map lookup for them.
      let lastSymbol: string | null = null;
      let lastInterval: string | null = null;
      let last: CandleHistory | null = null;
      return forward(subscriber, source, {
        next: ({ symbol, interval, candle }) => {
          let history: CandleHistory;
          if (symbol === lastSymbol && interval === lastInterval) {
            history = last!;
          } else {
            const baseMs = intervalMs(interval);
            const known = histories.get(symbol);
            if (known === undefined) {
              history = new CandleHistory(baseMs, capacity, window);
              histories.set(symbol, history);
            } else if (known.baseMs !== baseMs) {
              subscriber.error(
                new Error(`${symbol}: candles of interval ${interval} mixed with ${known.baseMs / 60_000}m candles`),
              );
              return;
            } else {
              history = known;
            }
            lastSymbol = symbol;
            lastInterval = interval;
            last = history;
          }
          const baseMs = history.baseMs;
          history.push(candle);
          subscriber.next({
            symbol,
            interval,
            candle,
            now: candle.timestamp + baseMs,
            price: history.averagePrice(window),
            history,
          });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
