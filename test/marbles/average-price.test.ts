import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { averagePrice } from '../../src/operators/average-price.js';
import { candle, marbleCandles, minuteOf } from '../../src/testing.js';
import { testScheduler } from './helpers.js';

const snapshot = map((bar: { symbol: string; now: number; price: number | null }) => `${bar.symbol}@${minuteOf(bar.now)}=${bar.price}`);

describe('averagePrice', () => {
  it('the clock is the close of the candle and the price the VWAP of the last N closed candles', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a-b-c|', {
        a: candle(0, 10, 12, 9, 9, 1), // typical 10
        b: candle(1, 20, 21, 19, 20, 3), // typical 20
        c: candle(2, 30, 32, 28, 30, 1), // typical 30
      });
      expectObservable(source.pipe(averagePrice({ avgPriceCandles: 2 }), snapshot)).toBe('a-b-c|', {
        a: 'TEST@1=10', // start of data: the candles there are
        b: 'TEST@2=17.5', // (10·1 + 20·3) / 4
        c: 'TEST@3=22.5', // (20·3 + 30·1) / 4: the oldest left the window
      });
    });
  });

  it('the reference VWAP of five candles is 42460.333333…', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const c = (i: number) => candle(i, 42150.5 + 100 * i, 42380.2 + 100 * i, 42100 + 100 * i, 42250.8 + 100 * i, 100 + 10 * i);
      const source = marbleCandles(cold, '(abcd)e|', { a: c(0), b: c(1), c: c(2), d: c(3), e: c(4) });
      const price = source.pipe(
        averagePrice(),
        map((bar) => bar.price!.toFixed(6)),
      );
      expectObservable(price).toBe('(abcd)e|', { a: '42243.666667', b: '42296.047619', c: '42349.727273', d: '42404.536232', e: '42460.333333' });
    });
  });

  it('falls back to the mean of the closes when no volume traded', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(0, 10, 12, 9, 11, 0), b: candle(1, 20, 21, 19, 21, 0) });
      expectObservable(source.pipe(averagePrice(), snapshot)).toBe('ab|', { a: 'TEST@1=11', b: 'TEST@2=16' });
    });
  });

  it('a 5m source steps the clock in 5m', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(0, 10), b: candle(5, 20) }, { interval: '5m' });
      expectObservable(source.pipe(averagePrice({ avgPriceCandles: 1 }), snapshot)).toBe('ab|', { a: 'TEST@5=10', b: 'TEST@10=20' });
    });
  });

  it('keeps one history per symbol', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const btc = { symbol: 'BTC', interval: '1m' as const };
      const eth = { symbol: 'ETH', interval: '1m' as const };
      const source = cold('abcd|', {
        a: { ...btc, candle: candle(0, 100) },
        b: { ...eth, candle: candle(0, 10) },
        c: { ...btc, candle: candle(1, 200) },
        d: { ...eth, candle: candle(1, 30) },
      });
      expectObservable(source.pipe(averagePrice(), snapshot)).toBe('abcd|', {
        a: 'BTC@1=100',
        b: 'ETH@1=10',
        c: 'BTC@2=150',
        d: 'ETH@2=20',
      });
    });
  });

  it('bounds the history it keeps, never below the VWAP window', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abcd|', { a: candle(0, 1), b: candle(1, 2), c: candle(2, 3), d: candle(3, 4) });
      const sizes = (opts: { avgPriceCandles: number; historyCandles: number }) =>
        source.pipe(averagePrice(opts), map((bar) => bar.history.size));
      expectObservable(sizes({ avgPriceCandles: 1, historyCandles: 2 })).toBe('abcd|', { a: 1, b: 2, c: 2, d: 2 });
      expectObservable(sizes({ avgPriceCandles: 3, historyCandles: 2 })).toBe('abcd|', { a: 1, b: 2, c: 3, d: 3 });
    });
  });

  it('fails on a symbol whose candles change interval, and passes errors through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const mixed = cold('ab|', {
        a: { symbol: 'X', interval: '1m' as const, candle: candle(0, 1) },
        b: { symbol: 'X', interval: '5m' as const, candle: candle(5, 1) },
      });
      expectObservable(mixed.pipe(averagePrice(), snapshot)).toBe(
        'a#',
        { a: 'X@1=1' },
        new Error('X: candles of interval 5m mixed with 1m candles'),
      );
      const failing = marbleCandles(cold, 'a#', { a: candle(0, 1) });
      expectObservable(failing.pipe(averagePrice(), snapshot)).toBe('a#', { a: 'TEST@1=1' });
    });
  });
});
