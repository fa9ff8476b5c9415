import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect, test } from 'vitest';
import { averagePrice, resolveConfig, runLane, type Strategy } from '../../src/index.js';
import { candle, eventLabel, marbleCandles } from '../../src/testing.js';

// Buy when the last closed 1m candle closed higher than the one before; TP +1 %, SL −1 %, at most 30 minutes.
const momentum: Strategy = {
  name: 'momentum',
  interval: '1m',
  getSignal(ctx) {
    const [before, last] = ctx.candles('1m', 2);
    if (!before || !last || last.close <= before.close) return null;
    return { position: 'long', priceTakeProfit: ctx.price * 1.01, priceStopLoss: ctx.price * 0.99, minuteEstimatedTime: 30 };
  },
};

test('momentum buys after a rise and takes profit', () => {
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
    const candles = marbleCandles(cold, 'a-b-c-d|', {
      a: candle(0, 100), //                        00:00 flat at 100
      b: candle(1, 100, 101, 100, 101), //         00:01 closes higher: buy at 00:02
      c: candle(2, 100.7), //                      00:02 flat, inside TP/SL
      d: candle(3, 100.7, 102, 100.5, 100.6), //   00:03 through the take-profit
    });
    const events = candles.pipe(averagePrice({ avgPriceCandles: 1 }), runLane(momentum, resolveConfig()), map(eventLabel));
    expectObservable(events).toBe('--o---c|', { o: 'opened@2', c: 'closed:take_profit@4' });
  });
});
