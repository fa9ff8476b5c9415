import { from, map, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import type { ConfigInput } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import { INTERVAL_MS, type Interval, type StrategyInterval } from '../../src/core/intervals.js';
import type { SignalResult, Strategy, StrategyContext } from '../../src/core/strategy.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { askStrategy, type AskStrategyOptions } from '../../src/operators/ask-strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { enterSignal } from '../../src/operators/enter-signal.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { candle, candlesFrom, flatCandles, marbleCandles, minuteOf, symbolCandles } from '../../src/testing.js';
import { config, framePerCandle, labels, testScheduler } from './helpers.js';

type GetSignal = Strategy['getSignal'];
const strategy = (interval: StrategyInterval, getSignal: GetSignal): Strategy => ({ name: 'strat', interval, getSignal });

/** A market long 1 % either side of the price. */
const marketLong = (ctx: StrategyContext, minuteEstimatedTime = 60): SignalResult => ({
  position: 'long',
  priceTakeProfit: ctx.price * 1.01,
  priceStopLoss: ctx.price * 0.99,
  minuteEstimatedTime,
});

/** The whole lane chain in SEMANTICS §4 order, as event labels. */
function lane(source: Observable<SymbolCandle>, s: Strategy, overrides: ConfigInput = {}, options?: AskStrategyOptions) {
  const cfg = config(overrides);
  return source.pipe(
    averagePrice(),
    openLane({ strategy: s.name }),
    activateScheduled(cfg),
    monitorSignal(cfg),
    partialMilestones(cfg),
    askStrategy(s, cfg, options),
    enterSignal(),
    laneEvents(),
  );
}

/** A thenable that answers `value` after `delay` frames of virtual time (never, when delay is null). */
function slowly(scheduler: TestScheduler, delay: number | null, value: SignalResult): PromiseLike<SignalResult> {
  return {
    then(onFulfilled) {
      if (delay !== null) scheduler.schedule(() => onFulfilled?.(value), delay);
      return undefined as never;
    },
  };
}

describe('askStrategy: when it is asked', () => {
  it('only at now % interval == 0, on a clock-aligned grid', () => {
    const asked: number[] = [];
    const s = strategy('5m', (ctx) => (asked.push(minuteOf(ctx.now)), null));
    testScheduler().run(({ cold, expectObservable }) => {
      // Data starts at 00:03: the first slot is 00:05, not 00:03 + 5m.
      expectObservable(lane(framePerCandle(cold, flatCandles(3, 20, 100)), s)).toBe(`${'-'.repeat(20)}|`);
    });
    expect(asked).toEqual([5, 10, 15, 20]);
  });

  it('hourly strategies at the top of the hour', () => {
    const asked: number[] = [];
    const s = strategy('1h', (ctx) => (asked.push(minuteOf(ctx.now)), null));
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(lane(framePerCandle(cold, flatCandles(0, 150, 100)), s)).toBe(`${'-'.repeat(150)}|`);
    });
    expect(asked).toEqual([60, 120]);
  });

  it('only while idle; slots missed while busy are not made up', () => {
    const asked: number[] = [];
    // Opens at 00:05 for 7 minutes: expires at 00:12, between slots; the 00:10 slot is lost.
    const s = strategy('5m', (ctx) => (asked.push(minuteOf(ctx.now)), marketLong(ctx, 7)));
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(lane(framePerCandle(cold, flatCandles(0, 16, 100)), s).pipe(labels())).toBe('----a------b--c-|', {
        a: 'opened@5',
        b: 'closed:time_expired@12',
        c: 'opened@15',
      });
    });
    expect(asked).toEqual([5, 15]);
  });

  it('a slot without a candle (gap) is not made up', () => {
    const asked: number[] = [];
    const s = strategy('5m', (ctx) => (asked.push(minuteOf(ctx.now)), null));
    testScheduler().run(({ cold, expectObservable }) => {
      // Candles 00:00–00:03 and 00:07–00:11: nothing closes at 00:05.
      const candles = [...flatCandles(0, 4, 100), ...flatCandles(7, 5, 100)];
      expectObservable(lane(framePerCandle(cold, candles), s)).toBe(`${'-'.repeat(9)}|`);
    });
    expect(asked).toEqual([10]);
  });

  it('paused: not asked at all', () => {
    const asked: number[] = [];
    const s = strategy('1m', (ctx) => (asked.push(minuteOf(ctx.now)), marketLong(ctx)));
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(lane(framePerCandle(cold, flatCandles(0, 3, 100)), s, {}, { paused: () => true })).toBe('---|');
    });
    expect(asked).toEqual([]);
  });
});

describe('askStrategy: what it returns', () => {
  it('a valid signal becomes the step proposal (market or scheduled); null proposes nothing', () => {
    const limit: SignalResult = { position: 'long', priceOpen: 95, priceTakeProfit: 100, priceStopLoss: 90, minuteEstimatedTime: 5 };
    const s = strategy('1m', (ctx) => [null, limit, marketLong(ctx)][minuteOf(ctx.now) - 1]);
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abc|', { a: candle(0, 100), b: candle(1, 100), c: candle(2, 100) });
      const cfg = config();
      const proposals = source.pipe(
        averagePrice(),
        openLane({ strategy: s.name }),
        askStrategy(s, cfg),
        map((step) => step.proposal?.entry ?? 'none'),
      );
      // Without enterSignal nothing is entered: the lane stays idle and is asked again.
      expectObservable(proposals).toBe('abc|', { a: 'none', b: 'scheduled', c: 'market' });
    });
  });

  it('a throwing strategy: an error event naming strategy, symbol, time and cause; the lane stays idle; the run continues', () => {
    const s = strategy('1m', (ctx) => {
      if (minuteOf(ctx.now) === 1) throw new Error('indicator not ready');
      return marketLong(ctx);
    });
    testScheduler().run(({ cold, expectObservable }) => {
      const events = lane(marbleCandles(cold, 'ab|', { a: candle(0, 100), b: candle(1, 100) }), s);
      expectObservable(events.pipe(labels())).toBe('eo|', { e: 'error@1', o: 'opened@2' });
      expectObservable(events.pipe(map((e) => e.action === 'error' && e.message))).toBe('eo|', {
        e: "strategy 'strat' on TEST at 1970-01-01T00:01:00.000Z: getSignal threw: indicator not ready",
        o: false,
      });
    });
  });

  it('a non-Error throw is described, not swallowed', () => {
    const s = strategy('1m', () => {
      throw 'nope';
    });
    testScheduler().run(({ cold, expectObservable }) => {
      const events = lane(marbleCandles(cold, 'a|', { a: candle(0, 100) }), s);
      expectObservable(events.pipe(map((e) => e.action === 'error' && e.message))).toBe('a|', {
        a: 'strategy \'strat\' on TEST at 1970-01-01T00:01:00.000Z: getSignal threw: non-Error value thrown: "nope"',
      });
    });
  });

  it('an invalid DTO: an error event listing the problems; the lane stays idle; the run continues', () => {
    const s = strategy('1m', (ctx) =>
      minuteOf(ctx.now) === 1
        ? { position: 'long', priceTakeProfit: ctx.price * 0.99, priceStopLoss: ctx.price * 0.98, minuteEstimatedTime: 0 }
        : marketLong(ctx),
    );
    testScheduler().run(({ cold, expectObservable }) => {
      const events = lane(marbleCandles(cold, 'ab|', { a: candle(0, 100), b: candle(1, 100) }), s);
      expectObservable(events.pipe(labels())).toBe('eo|', { e: 'error@1', o: 'opened@2' });
      const message = events.pipe(map((e) => (e.action === 'error' ? e.message : e.action)));
      expectObservable(message).toBe('eo|', {
        e: expect.stringMatching(/invalid signal: minuteEstimatedTime: .*; long: priceTakeProfit 99 must be above current price 100/),
        o: 'opened',
      });
    });
  });

  it('a rejected promise is an error event too', async () => {
    const s = strategy('1m', () => Promise.reject(new Error('exchange down')));
    const events: SignalEvent[] = [];
    await new Promise<void>((resolve, reject) =>
      lane(from(symbolCandles([candle(0, 100)])), s).subscribe({ next: (e) => events.push(e), complete: resolve, error: reject }),
    );
    expect(events.map((e) => (e.action === 'error' ? e.message : e.action))).toEqual([
      "strategy 'strat' on TEST at 1970-01-01T00:01:00.000Z: getSignal rejected: exchange down",
    ]);
  });
});

describe('askStrategy: asynchronous strategies in virtual time', () => {
  it('a slow answer before signalTimeoutMs is used; later candles wait, in order, and are processed after it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const s = strategy('1m', (ctx) => (minuteOf(ctx.now) === 1 ? slowly(scheduler, 3, marketLong(ctx)) : marketLong(ctx)));
      // a: asked at 00:01, answers 3 frames later. b went through TP (101) while it was thinking: it is checked
      // against the signal a entered, closes it, and the lane (idle again at 00:02) is asked at once.
      const source = marbleCandles(cold, 'abc-----|', { a: candle(0, 100), b: candle(1, 100, 102, 100, 101), c: candle(2, 100.5) });
      // signalTimeoutMs 5: a timer left running would add an error at frame 5.
      expectObservable(lane(source, s, { signalTimeoutMs: 5 }).pipe(labels())).toBe('---(xyz)|', {
        x: 'opened@1',
        y: 'closed:take_profit@2',
        z: 'opened@2',
      });
    });
  });

  it('no answer: an error event at exactly signalTimeoutMs of virtual time, then the run continues', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const s = strategy('1m', (ctx) => {
        const minute = minuteOf(ctx.now);
        if (minute === 1) return slowly(scheduler, null, null); // never answers
        return minute === 2 ? null : marketLong(ctx);
      });
      const source = marbleCandles(cold, 'abc|', { a: candle(0, 100), b: candle(1, 100), c: candle(2, 100) });
      const events = lane(source, s);
      expectObservable(events.pipe(labels())).toBe('180000ms (eo|)', { e: 'error@1', o: 'opened@3' });
      expectObservable(events.pipe(map((e) => (e.action === 'error' ? e.message : e.action)))).toBe('180000ms (eo|)', {
        e: "strategy 'strat' on TEST at 1970-01-01T00:01:00.000Z: getSignal timed out after 180000 ms",
        o: 'opened',
      });
    });
  });

  it('an answer after the timeout is ignored', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const s = strategy('1m', (ctx) => (minuteOf(ctx.now) === 1 ? slowly(scheduler, 20, marketLong(ctx)) : null));
      const source = marbleCandles(cold, 'ab--------------------------|', { a: candle(0, 100), b: candle(1, 100) });
      expectObservable(lane(source, s, { signalTimeoutMs: 10 }).pipe(labels())).toBe('10ms e-----------------|', { e: 'error@1' });
    });
  });
});

describe('askStrategy: no look-ahead', () => {
  const intervals: Interval[] = ['1m', '3m', '5m', '15m', '30m', '1h'];
  // A wandering 1m series, 00:00 … 02:59.
  const series: Candle[] = candlesFrom({ closes: Array.from({ length: 180 }, (_, i) => 100 + 5 * Math.sin(i / 7)), wickPercent: 0.2 });

  type Seen = Array<{ now: number; interval: Interval; candles: Candle[] }>;
  const readAll = (ctx: StrategyContext, seen: Seen) => {
    for (const interval of intervals) seen.push({ now: ctx.now, interval, candles: ctx.candles(interval, 1000) });
  };

  function expectClosedOnly(seen: Seen): void {
    expect(seen.length).toBeGreaterThan(0);
    for (const { now, interval, candles } of seen) {
      for (const c of candles) expect(c.timestamp + INTERVAL_MS[interval], `${interval} at ${minuteOf(now)}`).toBeLessThanOrEqual(now);
    }
  }

  it('everything a strategy can read through ctx.candles had closed at ctx.now, and the newest closed candle is there', () => {
    const seen: Seen = [];
    const s = strategy('5m', (ctx) => (readAll(ctx, seen), null));
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(lane(framePerCandle(cold, series), s)).toBe(`${'-'.repeat(180)}|`);
    });
    expectClosedOnly(seen);
    // Not over-restrictive: at each slot the newest candle of each interval is the one that just closed.
    for (const { now, interval, candles } of seen) {
      if (now % INTERVAL_MS[interval] === 0 && candles.length > 0) {
        expect(candles.at(-1)!.timestamp).toBe(now - INTERVAL_MS[interval]);
      }
    }
  });

  it('also for a slow strategy that reads after newer candles arrived', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const seen: Seen = [];
      let historyAhead = 0;
      const s = strategy('15m', (ctx) => ({
        then(onFulfilled) {
          // Answer (and read) 30 frames later: 30 newer candles have reached the symbol's history by then.
          scheduler.schedule(() => {
            readAll(ctx, seen);
            historyAhead++;
            onFulfilled?.(null);
          }, 30);
          return undefined as never;
        },
      }));
      let completed = false;
      lane(framePerCandle(cold, series), s).subscribe({ complete: () => (completed = true) });
      flush();
      expect(completed).toBe(true);
      expect(historyAhead).toBeGreaterThan(3);
      expectClosedOnly(seen);
    });
  });
});

describe('askStrategy: the context', () => {
  it('symbol, now, date, price, mode and formatters', () => {
    const contexts: unknown[] = [];
    const s = strategy('1m', (ctx) => {
      contexts.push({ symbol: ctx.symbol, now: ctx.now, date: ctx.date.toISOString(), price: ctx.price, mode: ctx.mode, p: ctx.formatPrice(0.000051234567) });
      return null;
    });
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a|', { a: candle(0, 100, 102, 99, 101) }, { symbol: 'ADA/BTC' });
      expectObservable(lane(source, s, {}, { mode: 'live' })).toBe('-|');
    });
    expect(contexts).toEqual([{ symbol: 'ADA/BTC', now: 60_000, date: '1970-01-01T00:01:00.000Z', price: 100.66666666666667, mode: 'live', p: '0.000051234567' }]);
  });
});

