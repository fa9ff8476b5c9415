import { map, type Observable } from 'rxjs';
import { describe, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import type { ConfigInput } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import { computePnl } from '../../src/core/pnl.js';
import type { Signal } from '../../src/core/signal.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { candle, eventLabel, marbleCandles, minutes } from '../../src/testing.js';
import { config, holding, longSignal, shortSignal, testScheduler } from './helpers.js';

// Open since 00:01 at 100 (long: TP 105 / SL 95; short: TP 95 / SL 105), minuteEstimatedTime 10: expires at 00:11.
const openLong = longSignal({ pendingAt: minutes(1) });
const openShort = shortSignal({ pendingAt: minutes(1) });

function monitor(source: Observable<SymbolCandle>, signal: Signal, overrides: ConfigInput = {}, closeAtEnd = false): Observable<SignalEvent> {
  const cfg = config(overrides);
  return source.pipe(
    averagePrice({ avgPriceCandles: cfg.avgPriceCandles }),
    openLane({ strategy: 's', restore: holding(signal), closeAtEnd }),
    monitorSignal(cfg),
    laneEvents(),
  );
}
/** `closed:reason@minute price`. */
const withPrice = map((e: SignalEvent) => `${eventLabel(e)}${e.action === 'closed' ? ` ${e.pnl.priceClose}` : ''}`);

describe('monitorSignal', () => {
  it('take-profit and stop-loss close at exactly their price', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const tp = marbleCandles(cold, 'ab|', { a: candle(1, 100, 104.9, 95.1, 104), b: candle(2, 104, 105.5, 103, 105) });
      const sl = marbleCandles(cold, 'ab|', { a: candle(1, 100, 104.9, 95.1, 96), b: candle(2, 96, 96, 90, 91) });
      expectObservable(monitor(tp, openLong).pipe(withPrice)).toBe('-c|', { c: 'closed:take_profit@3 105' });
      expectObservable(monitor(sl, openLong).pipe(withPrice)).toBe('-c|', { c: 'closed:stop_loss@3 95' });
      expectObservable(monitor(tp, openShort).pipe(withPrice)).toBe('-c|', { c: 'closed:stop_loss@3 105' });
      expectObservable(monitor(sl, openShort).pipe(withPrice)).toBe('-c|', { c: 'closed:take_profit@3 95' });
    });
  });

  it('the closed event carries the pnl, closeTimestamp and duration', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(1, 101), b: candle(2, 101, 106, 100, 105) });
      const closed = monitor(source, openLong).pipe(
        map((e) => e.action === 'closed' && { closeTimestamp: e.closeTimestamp, durationMinutes: e.durationMinutes, pnl: e.pnl, signal: e.signal }),
      );
      expectObservable(closed).toBe('-c|', {
        c: { closeTimestamp: minutes(3), durationMinutes: 2, pnl: computePnl('long', 100, 105, config()), signal: openLong },
      });
    });
  });

  describe('a candle touching both take-profit and stop-loss', () => {
    const both = { a: candle(1, 100, 106, 94, 100) };
    it.each([
      ['long', openLong, 'stop-loss-first', 'closed:stop_loss@2 95'],
      ['long', openLong, 'take-profit-first', 'closed:take_profit@2 105'],
      ['short', openShort, 'stop-loss-first', 'closed:stop_loss@2 105'],
      ['short', openShort, 'take-profit-first', 'closed:take_profit@2 95'],
    ] as const)('%s, intrabar %s', (_, signal, intrabar, expected) => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(monitor(marbleCandles(cold, 'a|', both), signal, { intrabar }).pipe(withPrice)).toBe('c|', { c: expected });
      });
    });

    it('stop-loss-first is the default', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(monitor(marbleCandles(cold, 'a|', both), openLong).pipe(withPrice)).toBe('c|', { c: 'closed:stop_loss@2 95' });
      });
    });
  });

  it('contiguous data: expires at exactly pendingAt + minuteEstimatedTime, at the current price', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Candles 00:01 … 00:10; the 00:10 candle closes at 00:11 = expiry.
      const flat = cold(`${'x'.repeat(10)}|`).pipe(map((_, i) => ({ symbol: 'TEST', interval: '1m' as const, candle: candle(1 + i, 101) })));
      expectObservable(monitor(flat, openLong).pipe(withPrice)).toBe('9ms c|', { c: 'closed:time_expired@11 101' });
      // The last candle is still checked for TP/SL before expiry.
      const lastTouches = flat.pipe(map((sc, i) => (i === 9 ? { ...sc, candle: candle(10, 101, 105, 101, 104) } : sc)));
      expectObservable(monitor(lastTouches, openLong).pipe(withPrice)).toBe('9ms c|', { c: 'closed:take_profit@11 105' });
    });
  });

  it('gap: a candle that began after the expiry closes at the current price and its touches do not count', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // 00:01, 00:02, then nothing until 00:14, a candle that went through TP (high 110) and closed at 108.
      const source = marbleCandles(cold, 'ab---c|', { a: candle(1, 101), b: candle(2, 101), c: candle(14, 101, 110, 100, 108) });
      // avgPriceCandles 1: the current price is that candle's typical price (110 + 100 + 108) / 3 = 106.
      expectObservable(monitor(source, openLong, { avgPriceCandles: 1 }).pipe(withPrice)).toBe('-----c|', {
        c: 'closed:time_expired@15 106',
      });
      // A candle beginning exactly at the expiry through the stop-loss: also expiry, not stop-loss.
      const atExpiry = marbleCandles(cold, 'ab---c|', { a: candle(1, 101), b: candle(2, 101), c: candle(11, 96, 97, 80, 90) });
      expectObservable(monitor(atExpiry, openLong, { avgPriceCandles: 1 }).pipe(withPrice)).toBe('-----c|', {
        c: 'closed:time_expired@12 89',
      });
    });
  });

  it('the activation candle is not checked for TP/SL; monitoring starts with the next candle', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const run = (source: Observable<SymbolCandle>, signal: Signal) =>
        source.pipe(
          averagePrice(),
          openLane({ strategy: 's', restore: holding(signal) }),
          activateScheduled(config()),
          monitorSignal(config()),
          laneEvents(),
          withPrice,
        );
      // Long limit at 100: the activation candle also went up through TP 105.
      const long = marbleCandles(cold, 'abc|', {
        a: candle(1, 101, 106, 99, 104),
        b: candle(2, 104, 104.5, 101, 102),
        c: candle(3, 102, 105, 101, 104),
      });
      expectObservable(run(long, longSignal())).toBe('o-c|', { o: 'opened@2', c: 'closed:take_profit@4 105' });
      // Short limit at 100: the activation candle also went down through TP 95.
      const short = marbleCandles(cold, 'ab|', { a: candle(1, 99, 100, 94, 96), b: candle(2, 96, 97, 94.5, 95) });
      expectObservable(run(short, shortSignal())).toBe('oc|', { o: 'opened@2', c: 'closed:take_profit@3 95' });
    });
  });

  it('emitActive: one active event per candle the open signal survives', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abc|', { a: candle(0, 100), b: candle(1, 101), c: candle(2, 101, 105, 100, 104) });
      const events = monitor(source, openLong, { emitActive: true });
      expectObservable(events.pipe(withPrice)).toBe('-ac|', { a: 'active@2', c: 'closed:take_profit@3 105' });
      expectObservable(monitor(source, openLong).pipe(withPrice)).toBe('--c|', { c: 'closed:take_profit@3 105' });
    });
  });

  it('closeAtEnd: an open signal is closed time_expired at the last price and now', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(1, 101), b: candle(2, 102) });
      expectObservable(monitor(source, openLong, { avgPriceCandles: 1 }, true).pipe(withPrice)).toBe('--(c|)', {
        c: 'closed:time_expired@3 102',
      });
      // Without closeAtEnd it stays open: nothing is faked.
      expectObservable(monitor(source, openLong, { avgPriceCandles: 1 }).pipe(withPrice)).toBe('--|');
    });
  });
});
