import { filter, map } from 'rxjs';
import { describe, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { averagePrice, resolveConfig, runLane, sma, type IndicatorSpec, type Strategy } from '../../src/index.js';
import { candle, marbleCandles } from '../../src/testing.js';
import { testScheduler } from './helpers.js';

/** A strategy that reports what `ctx.indicators.x` is at each ask (as its error message: one event per ask). */
function showing(spec: IndicatorSpec): Strategy {
  return {
    name: 'show',
    interval: '1m',
    indicators: () => ({ x: spec }),
    getSignal(ctx) {
      throw new Error(String(ctx.indicators.x));
    },
  };
}

const shown = (strategy: Strategy) => (source: ReturnType<typeof marbleCandles>) =>
  source.pipe(
    averagePrice(),
    runLane(strategy, resolveConfig()),
    filter((e: SignalEvent) => e.action === 'error'),
    map((e) => (e as Extract<SignalEvent, { action: 'error' }>).message.split('threw: ')[1]),
  );

describe('ctx.indicators', () => {
  it('is null until the indicator is warm, then the value at each closed candle', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abcd|', { a: candle(0, 10), b: candle(1, 20), c: candle(2, 30), d: candle(3, 70) });
      expectObservable(source.pipe(shown(showing(sma(3))))).toBe('abcd|', { a: 'null', b: 'null', c: '20', d: '40' });
    });
  });

  it('a 5m indicator sees a bucket only once it closed (at the step of its last minute)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Minutes 0–4 make the first 5m bucket (close 14), 5–9 the second (close 19).
      const values = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String.fromCharCode(97 + i), candle(i, 10 + i)]));
      const source = marbleCandles(cold, 'abcdefghij|', values);
      expectObservable(source.pipe(shown(showing(sma(2, '5m'))))).toBe('abcdefghij|', {
        a: 'null', b: 'null', c: 'null', d: 'null', e: 'null', // one closed bucket (at minute 5): not warm
        f: 'null', g: 'null', h: 'null', i: 'null',
        j: '16.5', // the second bucket closes at minute 10: (14 + 19) / 2
      });
    });
  });

  it('a gap across a bucket boundary closes the bucket with the candles it got, at the first candle past it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Bucket [0, 5) gets minutes 0–2 only (close 12); nothing in [5, 10); minute 11 is in [10, 15).
      const source = marbleCandles(cold, 'abcd|', { a: candle(0, 10), b: candle(1, 11), c: candle(2, 12), d: candle(11, 50) });
      expectObservable(source.pipe(shown(showing(sma(1, '5m'))))).toBe('abcd|', {
        a: 'null', b: 'null', c: 'null', // bucket [0, 5) has not closed at minute 3
        d: '12', // at minute 12 it has: its last close is 12; the empty bucket [5, 10) is no candle
      });
    });
  });
});
