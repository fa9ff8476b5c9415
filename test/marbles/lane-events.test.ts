import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { errorEvent, type SignalEvent } from '../../src/core/events.js';
import type { LaneStep } from '../../src/core/lane.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { openLane } from '../../src/operators/open-lane.js';
import { candle, marbleCandles } from '../../src/testing.js';
import { testScheduler } from './helpers.js';

/** Give each step `count(minute)` error events numbered 1…n, to see the flattening. */
const withEvents = (count: (minute: number) => number) =>
  map((step: LaneStep): LaneStep => {
    const minute = step.bar.now / 60_000;
    const events: SignalEvent[] = [];
    for (let i = 1; i <= count(minute); i++) events.push(errorEvent(step.lane, step.bar.now, `${minute}.${i}`));
    return { ...step, events };
  });
const messages = map((e: SignalEvent) => (e.action === 'error' ? e.message : e.action));

describe('laneEvents', () => {
  it("emits each step's events in order; steps without events emit nothing", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a-b-c----|', { a: candle(0, 1), b: candle(1, 1), c: candle(2, 1) });
      const steps = source.pipe(averagePrice(), openLane({ strategy: 's' }));
      expectObservable(steps.pipe(withEvents((m) => [0, 1, 0, 3][m]!), laneEvents(), messages)).toBe('a---(bcd)|', {
        a: '1.1',
        b: '3.1',
        c: '3.2',
        d: '3.3',
      });
    });
  });

  it('passes errors and completion through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const failing = marbleCandles(cold, 'a-#', { a: candle(0, 1) }, { symbol: 'X' });
      const steps = failing.pipe(averagePrice(), openLane({ strategy: 's' }), withEvents(() => 1), laneEvents(), messages);
      expectObservable(steps).toBe('a-#', { a: '1.1' });
      const empty = marbleCandles(cold, '---|', {}).pipe(averagePrice(), openLane({ strategy: 's' }), laneEvents());
      expectObservable(empty).toBe('---|');
    });
  });
});
