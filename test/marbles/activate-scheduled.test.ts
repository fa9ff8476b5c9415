import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { openLane } from '../../src/operators/open-lane.js';
import { candle, marbleCandles, minutes, symbolCandles } from '../../src/testing.js';
import { holding, labels, longSignal, shortSignal, testScheduler } from './helpers.js';

// Scheduled at 00:01: a long limit at 100 (SL 95) or a short limit at 100 (SL 105).
const short5 = { scheduleAwaitMinutes: 5 }; // window [00:01, 00:06)

describe('activateScheduled', () => {
  it('opens at priceOpen when a candle reaches it, with pendingAt = now', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a-b-c|', {
        a: candle(1, 101, 102, 100.01, 101),
        b: candle(2, 101, 101, 99.5, 100.5), // low reaches 100
        c: candle(3, 100, 100, 90, 91), // after opening, not this stage's business
      });
      const events = source.pipe(averagePrice(), openLane({ strategy: 's', restore: holding(longSignal()) }), activateScheduled(short5), laneEvents());
      expectObservable(events.pipe(labels())).toBe('--o--|', { o: 'opened@3' });
      expectObservable(events.pipe(map((e) => 'signal' in e && e.signal))).toBe('--o--|', {
        o: longSignal({ pendingAt: minutes(3) }),
      });
    });
  });

  it('long: a candle that reached priceOpen and the stop-loss cancels it (stop first)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(1, 101), b: candle(2, 101, 101, 94, 96) });
      const events = source.pipe(averagePrice(), openLane({ strategy: 's', restore: holding(longSignal()) }), activateScheduled(short5), laneEvents());
      expectObservable(events.pipe(labels())).toBe('-c|', { c: 'cancelled:stop_loss@3' });
      expectObservable(events.pipe(map((e) => e.action === 'cancelled' && [e.closeTimestamp, e.signal.pendingAt]))).toBe('-c|', {
        c: [minutes(3), null],
      });
    });
  });

  it('short: mirrored on the high — opens at priceOpen, the stop-loss in the same candle cancels', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const open = marbleCandles(cold, 'ab|', { a: candle(1, 99), b: candle(2, 99, 100, 98, 99.5) });
      const stop = marbleCandles(cold, 'ab|', { a: candle(1, 99), b: candle(2, 99, 105, 98, 104) });
      const lane = openLane({ strategy: 's', restore: holding(shortSignal()) });
      expectObservable(open.pipe(averagePrice(), lane, activateScheduled(short5), laneEvents(), labels())).toBe('-o|', { o: 'opened@3' });
      expectObservable(stop.pipe(averagePrice(), lane, activateScheduled(short5), laneEvents(), labels())).toBe('-c|', {
        c: 'cancelled:stop_loss@3',
      });
    });
  });

  it('contiguous 1m data: times out at exactly scheduledAt + 120 min, after the last candle was checked', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // 120 untouched candles 00:01 … 02:00; the one at 02:00 closes at 02:01 = scheduledAt + 120 min.
      const flat = (i: number) => ({ symbol: 'TEST', interval: '1m' as const, candle: candle(1 + i, 101) });
      const source = cold(`${'x'.repeat(120)}|`).pipe(map((_, i) => flat(i)));
      const run = (src: typeof source) =>
        src.pipe(averagePrice(), openLane({ strategy: 's', restore: holding(longSignal()) }), activateScheduled({ scheduleAwaitMinutes: 120 }), laneEvents(), labels());
      expectObservable(run(source)).toBe('119ms c|', { c: 'cancelled:timeout@121' });
      // The same last candle reaching priceOpen opens instead.
      const touched = source.pipe(map((sc, i) => (i === 119 ? { ...sc, candle: candle(120, 101, 101, 100, 100) } : sc)));
      expectObservable(run(touched)).toBe('119ms o|', { o: 'opened@121' });
    });
  });

  it('gap: a candle that began at or after the deadline cancels with timeout even if it reached priceOpen', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const touch = (minute: number) => candle(minute, 101, 101, 99, 100);
      const lane = () => openLane({ strategy: 's', restore: holding(longSignal()) });
      // 00:01, 00:02 untouched; no data 00:03–00:05; the 00:06 candle began at the deadline.
      const late = marbleCandles(cold, 'ab--c|', { a: candle(1, 101), b: candle(2, 101), c: touch(6) });
      expectObservable(late.pipe(averagePrice(), lane(), activateScheduled(short5), laneEvents(), labels())).toBe('----c|', {
        c: 'cancelled:timeout@7',
      });
      // The 00:05 candle began inside the window: it still opens the signal.
      const inTime = marbleCandles(cold, 'ab--c|', { a: candle(1, 101), b: candle(2, 101), c: touch(5) });
      expectObservable(inTime.pipe(averagePrice(), lane(), activateScheduled(short5), laneEvents(), labels())).toBe('----o|', {
        o: 'opened@6',
      });
    });
  });

  it('ignores candles from before it was scheduled, and lanes that are idle or already open', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(0, 90, 110, 90, 100), b: candle(1, 100, 110, 90, 100) });
      const withOpen = source.pipe(averagePrice(), openLane({ strategy: 's', restore: holding(longSignal({ pendingAt: minutes(1) })) }));
      expectObservable(withOpen.pipe(activateScheduled(short5), laneEvents(), labels())).toBe('--|');
      const idle = source.pipe(averagePrice(), openLane({ strategy: 's' }));
      expectObservable(idle.pipe(activateScheduled(short5), laneEvents(), labels())).toBe('--|');
      const before = marbleCandles(cold, 'a|', { a: candle(0, 90, 110, 90, 100) });
      const scheduled = before.pipe(averagePrice(), openLane({ strategy: 's', restore: holding(longSignal()) }));
      expectObservable(scheduled.pipe(activateScheduled(short5), laneEvents(), labels())).toBe('-|');
    });
  });

  it('marks the step as a transition and frees the lane on cancel', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab|', { a: symbolCandles([candle(1, 101)])[0]!, b: symbolCandles([candle(2, 101, 101, 94, 96)])[0]! });
      const steps = source.pipe(averagePrice(), openLane({ strategy: 's', restore: holding(longSignal()) }), activateScheduled(short5));
      expectObservable(steps.pipe(map((s) => [s.transitioned, s.lane.state.signal === null]))).toBe('ab|', {
        a: [false, false],
        b: [true, true],
      });
    });
  });

  it('closeAtEnd: a signal still scheduled at the end of data is cancelled at the last now', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(1, 101), b: candle(2, 102) });
      const events = source.pipe(averagePrice(), openLane({ strategy: 's', restore: holding(longSignal()), closeAtEnd: true }), activateScheduled(short5), laneEvents());
      expectObservable(events.pipe(labels())).toBe('--(c|)', { c: 'cancelled:timeout@3' });
    });
  });
});
