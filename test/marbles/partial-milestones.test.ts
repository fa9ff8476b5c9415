import { map, type Observable } from 'rxjs';
import { describe, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import type { ConfigInput } from '../../src/core/config.js';
import type { LaneState, LaneStep } from '../../src/core/lane.js';
import type { Signal } from '../../src/core/signal.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { candle, marbleCandles, minutes } from '../../src/testing.js';
import { config, holding, labels, longSignal, shortSignal, testScheduler } from './helpers.js';

// Open since 00:01 at 100: long TP 110 / SL 95, short TP 90 / SL 105. One candle of VWAP: the price is the candle's.
const long = longSignal({ pendingAt: minutes(1), priceTakeProfit: 110, minuteEstimatedTime: 60 });
const short = shortSignal({ pendingAt: minutes(1), priceTakeProfit: 90, minuteEstimatedTime: 60 });

/** Per candle: the levels it emitted, `+30` for profit, `-20` for loss. */
const levelsPerCandle = map((s: LaneStep) =>
  s.events.map((e) => (e.action === 'partial_profit' ? `+${e.level}` : e.action === 'partial_loss' ? `-${e.level}` : e.action)).join(' '),
);

function steps(source: Observable<SymbolCandle>, signal: Signal, overrides: ConfigInput = {}, state: Partial<LaneState> = {}) {
  return source.pipe(
    averagePrice({ avgPriceCandles: 1 }),
    openLane({ strategy: 's', restore: holding(signal, state) }),
    partialMilestones(config(overrides)),
  );
}

describe('partialMilestones', () => {
  it('long: a jump across several levels emits each, ascending; no level twice', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abcdef|', {
        a: candle(1, 103.5), // 35 % toward TP
        b: candle(2, 102), // back to 20 %: nothing new
        c: candle(3, 104.5), // 45 %
        d: candle(4, 99), // 20 % toward SL
        e: candle(5, 103.5), // nothing new
        f: candle(6, 109.8), // 98 %
      });
      expectObservable(steps(source, long).pipe(levelsPerCandle)).toBe('abcdef|', {
        a: '+10 +20 +30',
        b: '',
        c: '+40',
        d: '-10 -20',
        e: '',
        f: '+50 +60 +70 +80 +90',
      });
    });
  });

  it('short: progress is mirrored', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abc|', { a: candle(1, 97.5), b: candle(2, 101.2), c: candle(3, 104.9) });
      expectObservable(steps(source, short).pipe(levelsPerCandle)).toBe('abc|', {
        a: '+10 +20',
        b: '-10 -20',
        c: '-30 -40 -50 -60 -70 -80 -90',
      });
    });
  });

  it('the events carry level, the current price and now, one per level in order', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a----|', { a: candle(1, 102.5) });
      const events = steps(source, long).pipe(laneEvents());
      expectObservable(events.pipe(labels())).toBe('(xy)-|', { x: 'partial_profit:10@2', y: 'partial_profit:20@2' });
      expectObservable(
        events.pipe(map((e) => e.action === 'partial_profit' && { level: e.level, price: e.price, now: e.now, id: e.eventId })),
      ).toBe('(xy)-|', {
        x: { level: 10, price: 102.5, now: minutes(2), id: 's|TEST|sig@60000|partial_profit:10' },
        y: { level: 20, price: 102.5, now: minutes(2), id: 's|TEST|sig@60000|partial_profit:20' },
      });
    });
  });

  it('uses the configured levels', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', { a: candle(1, 103), b: candle(2, 108) });
      expectObservable(steps(source, long, { partialLevels: [75, 25, 50] }).pipe(levelsPerCandle)).toBe('ab|', {
        a: '+25',
        b: '+50 +75',
      });
    });
  });

  it('levels already reached (a restored checkpoint) are not emitted again', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a|', { a: candle(1, 103.5) });
      const restored = steps(source, long, {}, { partials: { profit: [10, 20], loss: [] } });
      expectObservable(restored.pipe(levelsPerCandle)).toBe('a|', { a: '+30' });
      expectObservable(restored.pipe(map((s) => s.lane.state.partials))).toBe('a|', { a: { profit: [10, 20, 30], loss: [] } });
    });
  });

  it('not on the activation candle, nor on the candle that closes the signal', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const cfg = config();
      const chain = (source: Observable<SymbolCandle>, signal: Signal) =>
        source.pipe(
          averagePrice({ avgPriceCandles: 1 }),
          openLane({ strategy: 's', restore: holding(signal) }),
          activateScheduled(cfg),
          monitorSignal(cfg),
          partialMilestones(cfg),
          levelsPerCandle,
        );
      // Limit at 100 opens on a candle whose price is 104.5 (45 % toward TP): no levels yet.
      const scheduled = longSignal({ priceTakeProfit: 110, minuteEstimatedTime: 60 });
      const source = marbleCandles(cold, 'abc|', { a: candle(1, 104.5, 106, 99, 104.5), b: candle(2, 104.5), c: candle(3, 104.5, 111, 104, 109) });
      expectObservable(chain(source, scheduled)).toBe('abc|', { a: 'opened', b: '+10 +20 +30 +40', c: 'closed' });
    });
  });

  it('does nothing for idle or scheduled lanes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a|', { a: candle(1, 108) });
      expectObservable(steps(source, longSignal({ priceTakeProfit: 110 })).pipe(levelsPerCandle)).toBe('a|', { a: '' });
      const idle = source.pipe(averagePrice(), openLane({ strategy: 's' }), partialMilestones(config()), levelsPerCandle);
      expectObservable(idle).toBe('a|', { a: '' });
    });
  });
});
