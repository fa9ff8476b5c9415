import { from, Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { SignalResult, Strategy, StrategyContext } from '../../src/core/strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { liveLanes, runLanes, type LaneOptions } from '../../src/operators/run-lane.js';
import { dip, series, trend } from '../support/fixtures.js';

// A fixed stake: live lanes mark the shared account in the order they get through their candles (SEMANTICS §12 in a
// live node), so a percentage-of-equity stake may see another symbol's newer close than a backtest does; a fixed one
// is the same either way, and every other field of every event still compares exactly.
const config = resolveConfig({ emitActive: true, signalTimeoutMs: 1e9, stake: 100 });
const SYMBOLS = ['A/USDT', 'B/USDT'];
const COUNT = 400;
const perSymbol = SYMBOLS.map((_, k) => series(COUNT, 11 * k));
/** Minute by minute, every symbol's candle in symbol order: how a live node is handed them. */
const feed: SymbolCandle[] = [];
for (let i = 0; i < COUNT; i++) SYMBOLS.forEach((symbol, k) => feed.push({ symbol, interval: '1m', candle: perSymbol[k]![i]! }));

const sync = [trend, dip(0.995)];

/** The backtest of the feed: one queue, synchronous strategies. */
function reference(strategies: readonly Strategy[]): SignalEvent[] {
  const out: SignalEvent[] = [];
  from(feed).pipe(averagePrice(config), runLanes(strategies, config)).subscribe((e) => out.push(e));
  return out;
}

interface Ask {
  readonly answered: Promise<SignalResult>;
  answer(): void;
}

/** `inner` answering through promises the test settles: the answer is computed when asked, released when told. */
function controlled(inner: Strategy): { strategy: Strategy; asks: Ask[] } {
  const asks: Ask[] = [];
  const strategy: Strategy = {
    name: inner.name,
    interval: inner.interval,
    getSignal: (ctx: StrategyContext) => {
      const value = inner.getSignal(ctx) as SignalResult;
      let answer!: () => void;
      const answered = new Promise<SignalResult>((resolve) => (answer = () => resolve(value)));
      asks.push({ answered, answer });
      return answered;
    },
  };
  return { strategy, asks };
}

/** Settles every open ask in the order asked and waits until each lane took its answer. */
async function answerAll(asks: Ask[]): Promise<void> {
  while (asks.length > 0) {
    const ask = asks.shift()!;
    ask.answer();
    // The lane's handler was attached when the strategy returned, before this await's: it has run once this resumes.
    await ask.answered;
  }
}

/** A live run of the feed with independent lanes; the test pushes candles and settles answers. */
function liveRun(strategies: readonly Strategy[], options: Partial<LaneOptions> = {}) {
  const scheduler = new VirtualTimeScheduler();
  const source = new Subject<SymbolCandle>();
  const events: SignalEvent[] = [];
  let completed = false;
  source
    .pipe(
      averagePrice(config),
      runLanes(strategies, config, { mode: 'live', scheduler, independent: liveLanes(5_000), ...options }),
    )
    .subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
  return { scheduler, source, events, completed: () => completed };
}

const laneOf = (events: readonly SignalEvent[], strategy: string, symbol: string) =>
  events.filter((e) => e.strategy === strategy && e.symbol === symbol);

const candleKey = (e: SignalEvent) => e.now * SYMBOLS.length + SYMBOLS.indexOf(e.symbol);
/** Which candle each event belongs to, in emission order. */
const candleOrder = (events: readonly SignalEvent[]) => events.map(candleKey);
const STRATEGY_ORDER = ['hung', 'trend', 'dip'];
/** Stable: within a candle the lanes in the order the strategies were given, each lane's events as they came. */
const inBacktestOrder = (events: readonly SignalEvent[]) =>
  [...events].sort((a, b) => candleKey(a) - candleKey(b) || STRATEGY_ORDER.indexOf(a.strategy) - STRATEGY_ORDER.indexOf(b.strategy));

const hung: Strategy = {
  name: 'hung',
  interval: '1m',
  getSignal: (ctx) => (ctx.symbol === 'A/USDT' ? new Promise<SignalResult>(() => undefined) : null),
};

describe('independent lanes (live): a lane waits only for its own strategy', () => {
  it('a strategy that never answers on one symbol holds back no other lane: they give the backtest’s events as each candle arrives', () => {
    const run = liveRun([hung, ...sync]);
    // The backtest, handed the same candles one at a time: after each, the other lanes have given the same events.
    const expected: SignalEvent[] = [];
    const backtest = new Subject<SymbolCandle>();
    backtest.pipe(averagePrice(config), runLanes(sync, config)).subscribe((e) => expected.push(e));
    for (const c of feed) {
      run.source.next(c);
      backtest.next(c);
      // `hung` gives nothing while it thinks: every event so far is another lane's.
      expect(run.events.length).toBe(expected.length);
    }
    expect(run.events.filter((e) => e.strategy !== 'hung')).toEqual(expected);
    expect(expected.some((e) => e.action === 'closed')).toBe(true);
    expect(run.events.filter((e) => e.strategy === 'hung')).toEqual([]);
  });

  it('when every answer arrives before the next candle, the events equal a backtest replay, in order', async () => {
    const t = controlled(trend);
    const d = controlled(dip(0.995));
    const run = liveRun([t.strategy, d.strategy]);
    for (const c of feed) {
      run.source.next(c);
      await answerAll(t.asks);
      await answerAll(d.asks);
    }
    run.source.complete();
    expect(run.completed()).toBe(true);
    const expected = reference(sync);
    expect(expected.some((e) => e.action === 'closed')).toBe(true);
    // Every candle's events come out before the next candle's, as in the backtest; within one candle the strategies'
    // lanes come in the order they answered (here the synchronous `dip` before the async `trend`).
    expect(inBacktestOrder(run.events)).toEqual(expected);
    expect(candleOrder(run.events)).toEqual(candleOrder(expected));
  });

  it('an answer later than the next candle is taken at the candle it was asked for: the lane catches up, its own events equal the backtest’s', async () => {
    const t = controlled(trend);
    const run = liveRun([t.strategy, dip(0.995)]);
    const expected = reference(sync);
    for (let i = 0; i < feed.length; i++) {
      run.source.next(feed[i]!);
      // Answers come seven candles late, in bursts.
      if (i % 7 === 6) await answerAll(t.asks);
    }
    await answerAll(t.asks);
    run.source.complete();
    expect(run.completed()).toBe(true);
    for (const strategy of ['trend', 'dip']) {
      for (const symbol of SYMBOLS) {
        const lane = laneOf(expected, strategy, symbol);
        expect(lane.length).toBeGreaterThan(0);
        expect(laneOf(run.events, strategy, symbol)).toEqual(lane);
      }
    }
    expect(run.events.length).toBe(expected.length);
  });

  it('a lane queueing more than maxQueued candles abandons the ask (an error naming the bound, no signal) and goes on', () => {
    const asked: number[] = [];
    const stuck: Strategy = {
      name: 'stuck',
      interval: '5m',
      getSignal: (ctx) => {
        asked.push(ctx.now);
        return new Promise<SignalResult>(() => undefined);
      },
    };
    const run = liveRun([stuck], { independent: liveLanes(5_000, 3) });
    const candles = feed.filter((c) => c.symbol === 'A/USDT').slice(0, 30);
    for (const c of candles) run.source.next(c);
    const errors = run.events.filter((e) => e.action === 'error');
    // Asked at every 5-minute mark; each ask gives up when the 4th candle queues behind it, before the next mark.
    expect(asked.length).toBe(6);
    expect(errors.length).toBe(5);
    for (const e of errors) {
      expect(e.action === 'error' && e.message).toMatch(/^strategy 'stuck' on A\/USDT at .*: getSignal abandoned: more than 3 candles of A\/USDT queued behind it \(maxQueued\)$/);
    }
    expect(run.events.filter((e) => e.action !== 'error')).toEqual([]);
    run.source.complete();
    expect(run.completed()).toBe(false);
    run.scheduler.flush();
    expect(run.completed()).toBe(true);
  });

  it('at the end a strategy still thinking gets stopGraceMs, then its ask is abandoned, its timers released and the run completes', async () => {
    const t = controlled(trend);
    let stopping = false;
    // As a live node: once stopping, no lane asks its strategy again (the queued candles are only monitored).
    const run = liveRun([hung, t.strategy], { paused: () => stopping });
    const head = feed.slice(0, 40);
    for (const c of head) {
      run.source.next(c);
      await answerAll(t.asks);
    }
    stopping = true;
    run.source.complete();
    expect(run.completed()).toBe(false);
    // Only the grace and the hung asks' timeouts (1e9 ms) are scheduled: the grace comes first.
    run.scheduler.maxFrames = 5_000;
    run.scheduler.flush();
    expect(run.completed()).toBe(true);
    expect(run.scheduler.actions).toEqual([]);
    const abandoned = run.events.filter((e) => e.strategy === 'hung');
    expect(abandoned.length).toBe(1);
    expect(abandoned[0]!.action === 'error' && abandoned[0]!.message).toMatch(
      /^strategy 'hung' on A\/USDT at .*: getSignal abandoned: the node is stopping \(grace 5000 ms\)$/,
    );
    // The trend lanes are those of a backtest over the same candles.
    const expected: SignalEvent[] = [];
    from(head).pipe(averagePrice(config), runLanes([trend], config)).subscribe((e) => expected.push(e));
    expect(run.events.filter((e) => e.strategy === 'trend')).toEqual(expected);
  });

  it('an answer that arrives once the node began stopping opens nothing (an error says so)', async () => {
    const t = controlled(trend);
    let stopping = false;
    const run = liveRun([t.strategy], { paused: () => stopping });
    const head = feed.filter((c) => c.symbol === 'A/USDT').slice(0, 5);
    for (const c of head) run.source.next(c);
    expect(t.asks.length).toBe(1);
    stopping = true;
    await answerAll(t.asks);
    run.source.complete();
    expect(run.completed()).toBe(true);
    expect(run.events.map((e) => e.action)).toEqual(['error']);
    expect(run.events[0]!.action === 'error' && run.events[0]!.message).toMatch(
      /^strategy 'trend' on A\/USDT at .*: getSignal answered after the node began stopping: no new signal$/,
    );
  });
});
