import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import type { Config, ConfigInput } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { SignalResult, Strategy, StrategyContext } from '../../src/core/strategy.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { accountActivation, accountEntry, accountMark, accountSettle } from '../../src/operators/account-gate.js';
import { EquityTracker } from '../../src/core/equity.js';
import { askStrategy } from '../../src/operators/ask-strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { enterSignal } from '../../src/operators/enter-signal.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { runLane, runLanes } from '../../src/operators/run-lane.js';
import { candle, eventLabel, flatCandles, marbleCandles, minuteOf } from '../../src/testing.js';
import { collect, config, framePerCandle, labels, testScheduler } from './helpers.js';

const M = 60_000;
const marketLong = (ctx: StrategyContext, minuteEstimatedTime: number): SignalResult => ({
  position: 'long',
  priceTakeProfit: ctx.price * 1.01,
  priceStopLoss: ctx.price * 0.99,
  minuteEstimatedTime,
});

/** A thenable answering `value` after `delay` frames of virtual time. */
function later(scheduler: TestScheduler, delay: number, value: SignalResult): PromiseLike<SignalResult> {
  return {
    then(onFulfilled) {
      scheduler.schedule(() => onFulfilled?.(value), delay);
      return undefined as never;
    },
  };
}

/** The composed operators, in the order runLanes fuses them (with the run's account, SEMANTICS §12). */
function composed(strategy: Strategy, cfg: Config): (bars: Observable<SymbolCandle>) => Observable<SignalEvent> {
  return (source) => {
    const tracker = new EquityTracker({ money: cfg, config: cfg, curve: false }, () => {});
    return source
      .pipe(
        averagePrice(cfg),
        openLane({ strategy: strategy.name, closeAtEnd: cfg.closeAtEnd }),
        accountMark(tracker),
        activateScheduled(cfg, { activation: accountActivation(tracker) }),
        monitorSignal(cfg),
        accountSettle(tracker),
        partialMilestones(cfg),
      )
      .pipe(askStrategy(strategy, cfg), accountEntry(tracker), enterSignal(), accountSettle(tracker), laneEvents());
  };
}
function fused(strategies: Strategy | Strategy[], cfg: Config): (bars: Observable<SymbolCandle>) => Observable<SignalEvent> {
  return (source) => source.pipe(averagePrice(cfg), runLanes(Array.isArray(strategies) ? strategies : [strategies], cfg));
}

// --- a realistic generated market: two symbols, random walk with wicks, zero-volume candles and gaps -----------------

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function walk(symbol: string, seed: number, count: number, start: number): SymbolCandle[] {
  const rnd = mulberry32(seed);
  const out: SymbolCandle[] = [];
  let price = start;
  let minute = 0;
  for (let i = 0; i < count; i++) {
    if (rnd() < 0.01) minute += 1 + Math.floor(rnd() * 150); // a gap, sometimes past a schedule window
    const open = price;
    const close = open * (1 + (rnd() - 0.5) * 0.006);
    const high = Math.max(open, close) * (1 + rnd() * 0.003);
    const low = Math.min(open, close) * (1 - rnd() * 0.003);
    const volume = rnd() < 0.05 ? 0 : rnd() * 10;
    out.push({ symbol, interval: '1m', candle: { timestamp: minute * M, open, high, low, close, volume } });
    price = close;
    minute++;
  }
  return out;
}

const market: SymbolCandle[] = [...walk('BTC', 7, 3000, 42000), ...walk('ETH', 11, 3000, 2500)].sort(
  (a, b) => a.candle.timestamp - b.candle.timestamp || (a.symbol < b.symbol ? -1 : 1),
);

/** Trend-following on 5m candles: market and limit entries, longs and shorts, a bad DTO and a throw now and then. */
function trendSignal(ctx: StrategyContext): SignalResult {
  const bars = ctx.candles('5m', 4);
  if (bars.length < 4) return null;
  const k = (ctx.now / (5 * M)) % 13;
  if (k === 5) return null;
  if (k === 7) throw new Error('flaky indicator');
  const p = ctx.price;
  if (k === 3) return { position: 'long', priceTakeProfit: p * 0.99, priceStopLoss: p * 0.98, minuteEstimatedTime: 30 };
  const up = bars[3]!.close > bars[0]!.close;
  const dist = 0.006 + (k % 3) * 0.004;
  const entry = k % 2 === 0 ? (up ? p * 0.998 : p * 1.002) : undefined;
  const base = entry ?? p;
  return {
    position: up ? 'long' : 'short',
    priceOpen: entry,
    priceTakeProfit: up ? base * (1 + dist) : base * (1 - dist),
    priceStopLoss: up ? base * (1 - dist) : base * (1 + dist),
    minuteEstimatedTime: 20 + 10 * (k % 4),
  };
}
const trend: Strategy = { name: 'trend', interval: '5m', getSignal: trendSignal };
const trendAsync: Strategy = {
  name: 'trend',
  interval: '5m',
  getSignal: (ctx) => new Promise((resolve) => resolve(trendSignal(ctx))),
};

describe('runLanes ≡ openLane → activateScheduled → monitorSignal → partialMilestones → askStrategy → enterSignal → laneEvents', () => {
  const cfg = config({ closeAtEnd: true });
  const events = collect(from(market).pipe(fused(trend, cfg)));

  it('the generated run exercises every kind of transition', () => {
    const kinds = new Set(events.map((e) => eventLabel(e).replace(/@.*/, '').replace(/:\d+$/, '')));
    for (const kind of [
      'scheduled',
      'opened',
      'closed:take_profit',
      'closed:stop_loss',
      'closed:time_expired',
      'cancelled:timeout',
      'cancelled:stop_loss',
      'partial_profit',
      'partial_loss',
      'error',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    expect(events.length).toBeGreaterThan(500);
  });

  it('gives exactly the same events (sync strategy)', () => {
    expect(collect(from(market).pipe(composed(trend, cfg)))).toEqual(events);
  });

  it('gives exactly the same events with an async strategy, and the same as the sync one', async () => {
    const viaFused = await lastValueFrom(from(market).pipe(fused(trendAsync, cfg), toArray()));
    const viaComposed = await lastValueFrom(from(market).pipe(composed(trendAsync, cfg), toArray()));
    expect(viaComposed).toEqual(viaFused);
    // Only the wording of a failure differs: a Promise rejects where a function throws.
    const reworded = viaFused.map((e) => (e.action === 'error' ? { ...e, message: e.message.replace('getSignal rejected', 'getSignal threw') } : e));
    expect(reworded).toEqual(events);
  });

  it('eventIds are deterministic and unique', () => {
    const again = collect(from(market).pipe(fused(trend, cfg)));
    expect(again.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const opened = events.find((e) => e.action === 'opened' && e.signal.scheduledAt === e.signal.pendingAt)!;
    expect(opened.eventId).toBe(`trend|${opened.symbol}|trend:${opened.symbol}:${opened.now}|opened`);
  });

  it('each strategy of runLanes sees the same as when run alone', () => {
    // A fixed stake: one account couples the strategies (SEMANTICS §12), and a percentage of equity would follow the
    // other strategy's positions; a fixed stake (far below the balance) leaves each strategy's events as if alone.
    const fixed = config({ closeAtEnd: true, stake: 100 });
    const other: Strategy = { name: 'other', interval: '15m', getSignal: (ctx) => marketLong(ctx, 45) };
    const both = collect(from(market).pipe(fused([trend, other], fixed)));
    expect(both.filter((e) => e.strategy === 'trend')).toEqual(collect(from(market).pipe(fused(trend, fixed))));
    expect(both.filter((e) => e.strategy === 'other')).toEqual(collect(from(market).pipe(fused(other, fixed))));
  });
});

describe('runLane', () => {
  it('a lane that closes at now opens a new signal at the same now', () => {
    // Opened at 00:05 for 5 minutes: expires at exactly 00:10, a slot of the 5m grid.
    const s: Strategy = { name: 's', interval: '5m', getSignal: (ctx) => (ctx.now <= 10 * M ? marketLong(ctx, 5) : null) };
    testScheduler().run(({ cold, expectObservable }) => {
      const events = framePerCandle(cold, flatCandles(0, 16, 100)).pipe(averagePrice(), runLane(s, config()), labels());
      expectObservable(events).toBe('----a----(bc)-d-|', {
        a: 'opened@5',
        b: 'closed:time_expired@10',
        c: 'opened@10',
        d: 'closed:time_expired@15',
      });
    });
  });

  it('gaps: schedule timeout and time expiry keep running on the clock of the candles that arrive', () => {
    // A long limit 1 % below, scheduled at 00:05; no data 00:06–02:09; the 02:10 candle (window ended at 02:05)
    // reaches priceOpen but the signal had timed out. Asked again at 02:15 (a market long): it expires during the
    // next gap and closes (time_expired, at the current price) on the first candle after it, whose SL touch is ignored.
    const s: Strategy = {
      name: 's',
      interval: '5m',
      getSignal: (ctx) =>
        ctx.now === 5 * M
          ? { position: 'long', priceOpen: 99, priceTakeProfit: 101, priceStopLoss: 98, minuteEstimatedTime: 10 }
          : ctx.now === 135 * M
            ? marketLong(ctx, 10)
            : null,
    };
    testScheduler().run(({ cold, expectObservable }) => {
      const candles = [...flatCandles(0, 6, 100), candle(130, 100, 100, 98.5, 99), ...flatCandles(131, 5, 99), candle(200, 99, 105, 90, 99)];
      const events = framePerCandle(cold, candles).pipe(averagePrice(), runLane(s, config()), labels());
      expectObservable(events).toBe('----s-c---o-e|', {
        s: 'scheduled@5',
        c: 'cancelled:timeout@131',
        o: 'opened@135',
        e: 'closed:time_expired@201',
      });
    });
  });

  it('closeAtEnd closes open signals at the last price and cancels scheduled ones; without it they stay open', () => {
    const market: Strategy = { name: 'm', interval: '1m', getSignal: (ctx) => marketLong(ctx, 60) };
    const limit: Strategy = {
      name: 'l',
      interval: '1m',
      getSignal: () => ({ position: 'long', priceOpen: 95, priceTakeProfit: 100, priceStopLoss: 90, minuteEstimatedTime: 60 }),
    };
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a-b-|', { a: candle(0, 100), b: candle(1, 100.05) });
      const run = (cfg: ConfigInput) => source.pipe(averagePrice({ avgPriceCandles: 1 }), runLanes([market, limit], config(cfg)));
      expectObservable(run({ closeAtEnd: true }).pipe(labels())).toBe('(ab)(cd|)', {
        a: 'opened@1',
        b: 'scheduled@1',
        c: 'closed:time_expired@2',
        d: 'cancelled:timeout@2',
      });
      expectObservable(run({ closeAtEnd: true }).pipe(map((e) => (e.action === 'closed' ? e.pnl.priceClose : null)))).toBe(
        '(ab)(cd|)',
        { a: null, b: null, c: 100.05, d: null },
      );
      expectObservable(run({}).pipe(labels())).toBe('(ab)|', { a: 'opened@1', b: 'scheduled@1' });
    });
  });

  it('a slow strategy holds every lane: the order of events is fixed by the data, not by how long it took', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const slow: Strategy = {
        name: 'slow',
        interval: '1m',
        getSignal: (ctx) =>
          minuteOf(ctx.now) === 1
            ? later(scheduler, 5, marketLong(ctx, 2))
            : null,
      };
      const fast: Strategy = { name: 'fast', interval: '1m', getSignal: (ctx) => (minuteOf(ctx.now) === 2 ? marketLong(ctx, 60) : null) };
      const source = marbleCandles(cold, 'abc-------|', { a: candle(0, 100), b: candle(1, 100), c: candle(2, 100) });
      const events = source.pipe(averagePrice(), runLanes([slow, fast], config()), map((e) => `${e.strategy}:${eventLabel(e)}`));
      expectObservable(events).toBe('-----(abc)|', { a: 'slow:opened@1', b: 'fast:opened@2', c: 'slow:closed:time_expired@3' });
    });
  });

  it('closeAtEnd also settles a signal a slow strategy opens on the last candle, composed or fused', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const s: Strategy = {
        name: 's',
        interval: '1m',
        getSignal: (ctx) =>
          minuteOf(ctx.now) === 2 ? later(scheduler, 3, marketLong(ctx, 60)) : null,
      };
      const source = marbleCandles(cold, 'ab|', { a: candle(0, 100), b: candle(1, 100) });
      const cfg = config({ closeAtEnd: true });
      const expected = { o: 'opened@2', c: 'closed:time_expired@2' };
      expectObservable(source.pipe(fused(s, cfg), labels())).toBe('----(oc|)', expected);
      expectObservable(source.pipe(composed(s, cfg), labels())).toBe('----(oc|)', expected);
    });
  });

  it('refuses two strategies with the same name', () => {
    const s: Strategy = { name: 'dup', interval: '1m', getSignal: () => null };
    expect(() => runLanes([s, { ...s }], config())).toThrow(/two strategies are named 'dup'/);
  });
});
