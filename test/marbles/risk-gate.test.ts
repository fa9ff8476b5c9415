import { filter, map, take, toArray, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import type { Config } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import { IDLE_STATE } from '../../src/core/lane.js';
import { defineRisk, RiskError, type RiskPayload, type RiskProfile } from '../../src/core/risk.js';
import { createRiskBook, type RiskBook } from '../../src/core/risk-book.js';
import type { Signal } from '../../src/core/signal.js';
import type { SignalResult, Strategy, StrategyContext } from '../../src/core/strategy.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { askStrategy } from '../../src/operators/ask-strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { enterSignal } from '../../src/operators/enter-signal.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { riskActivationCheck, riskGate, riskGateStage, withRisk } from '../../src/operators/risk-gate.js';
import { runLanes, type LaneOptions } from '../../src/operators/run-lane.js';
import { candle, eventLabel, minuteOf, minutes } from '../../src/testing.js';
import { config, longSignal, testScheduler } from './helpers.js';

type Cold = <T>(marbles: string, values?: Record<string, T>) => Observable<T>;

/** A market long 1 % either side of the price, lasting `duration` minutes. */
const marketLong = (ctx: StrategyContext, duration: number): SignalResult => ({
  position: 'long',
  priceTakeProfit: ctx.price * 1.01,
  priceStopLoss: ctx.price * 0.99,
  minuteEstimatedTime: duration,
});

/** A strategy asked every minute that proposes what `propose(symbol, minute)` says. */
function strategy(
  propose: (symbol: string, minute: number, ctx: StrategyContext) => SignalResult | PromiseLike<SignalResult>,
  extra: Partial<Strategy> = {},
): Strategy {
  return { name: 'strat', interval: '1m', getSignal: (ctx) => propose(ctx.symbol, minuteOf(ctx.now), ctx), ...extra };
}

/**
 * Flat candles at 100 for each symbol, one per frame, interleaved in the order a merged source gives them (by time,
 * ties by symbol): frame 2·m + i is symbol i's candle of minute m. `custom` replaces single candles.
 */
function portfolio(cold: Cold, symbols: readonly string[], count: number, custom: Record<string, Candle> = {}): Observable<SymbolCandle> {
  const values: Record<string, SymbolCandle> = {};
  let marbles = '';
  let n = 0;
  for (let m = 0; m < count; m++) {
    for (const symbol of symbols) {
      const k = String.fromCharCode(0x100 + n++);
      values[k] = { symbol, interval: '1m', candle: custom[`${symbol}@${m}`] ?? candle(m, 100) };
      marbles += k;
    }
  }
  return cold(`${marbles}|`, values);
}

/** `symbol:action[:reason]@minute`, with the risk reason spelled out. */
const label = (e: SignalEvent): string => `${e.symbol}:${eventLabel(e)}${e.action === 'risk' ? ` (${e.reason})` : ''}`;

function fused(
  source: Observable<SymbolCandle>,
  strategies: Strategy[],
  book: RiskBook,
  cfg: Config,
  scheduler?: TestScheduler,
  lanes: LaneOptions = {},
): Observable<SignalEvent> {
  return source.pipe(averagePrice(cfg), runLanes(strategies, cfg, withRisk(lanes, book, strategies, cfg, { scheduler })));
}

/** The expectation of `events.pipe(map(label))`: `{ frame: label }` → marbles with one value per listed frame. */
function timeline(frames: Record<number, string>, end: number): { marbles: string; values: Record<string, string> } {
  const values: Record<string, string> = {};
  let marbles = '';
  for (let f = 0; f < end; f++) {
    if (frames[f] === undefined) marbles += '-';
    else {
      const k = String.fromCharCode(0x100 + f);
      values[k] = frames[f]!;
      marbles += k;
    }
  }
  return { marbles: `${marbles}|`, values };
}

const maxOne: RiskProfile = defineRisk({ name: 'portfolio', maxConcurrentPositions: 1 });
const FULL = "risk profile 'portfolio': maxConcurrentPositions 1 reached (1 open)";

describe('riskGate: maxConcurrentPositions', () => {
  it('limit reached: the proposal becomes a risk event (strategy, symbol, reason, the proposed signal, now); the lane stays idle', () => {
    const cfg = config();
    const s = strategy((symbol, minute, ctx) => (symbol === 'A' && minute !== 1 ? null : marketLong(ctx, 60)));
    testScheduler().run(({ cold, expectObservable }) => {
      const events = fused(portfolio(cold, ['A', 'B'], 3), [s], createRiskBook(maxOne), cfg);
      // Frames: A@0 B@0 A@1 B@1 A@2 B@2. A opens at 00:01; B is asked every minute and rejected every time.
      const { marbles, values } = timeline({ 0: 'A:opened@1', 1: `B:risk@1 (${FULL})`, 3: `B:risk@2 (${FULL})`, 5: `B:risk@3 (${FULL})` }, 6);
      expectObservable(events.pipe(map(label))).toBe(marbles, values);
      const proposed: Signal = {
        id: 'strat:B:60000',
        position: 'long',
        priceOpen: 100,
        priceTakeProfit: 101,
        priceStopLoss: 99,
        minuteEstimatedTime: 60,
        scheduledAt: minutes(1),
        pendingAt: minutes(1),
        note: null,
      };
      expectObservable(events.pipe(filter((e) => e.action === 'risk'), take(1))).toBe('-(r|)', {
        r: { action: 'risk', eventId: 'strat|B|strat:B:60000|risk', symbol: 'B', strategy: 'strat', now: minutes(1), signal: proposed, reason: FULL },
      });
    });
  });

  it('slot freed at close: the next proposal after the close is allowed', () => {
    const cfg = config();
    // A holds a 3-minute position from 00:01 to its expiry at 00:04; B asks every minute.
    const s = strategy((symbol, minute, ctx) => (symbol === 'A' && minute !== 1 ? null : marketLong(ctx, 3)));
    testScheduler().run(({ cold, expectObservable }) => {
      const events = fused(portfolio(cold, ['A', 'B'], 4), [s], createRiskBook(maxOne), cfg);
      const { marbles, values } = timeline(
        {
          0: 'A:opened@1',
          1: `B:risk@1 (${FULL})`,
          3: `B:risk@2 (${FULL})`,
          5: `B:risk@3 (${FULL})`,
          6: 'A:closed:time_expired@4',
          7: 'B:opened@4',
        },
        8,
      );
      expectObservable(events.pipe(map(label))).toBe(marbles, values);
    });
  });

  it('counts positions of every strategy and symbol sharing the book, and only those under the profile', () => {
    const cfg = config();
    const capped = defineRisk({ name: 'capped', maxConcurrentPositions: 1 });
    const loose = defineRisk({ name: 'loose', maxConcurrentPositions: 5 });
    // 'first' (subject to both) opens on A; 'second' names only 'loose' and opens on B; 'third' names 'capped' and
    // is rejected: the capped profile sees first's position on another symbol.
    const first = strategy((symbol, minute, ctx) => (symbol === 'A' && minute === 1 ? marketLong(ctx, 60) : null), { name: 'first' });
    const second = strategy((symbol, minute, ctx) => (symbol === 'B' && minute === 1 ? marketLong(ctx, 60) : null), { name: 'second', risk: 'loose' });
    const third = strategy((symbol, minute, ctx) => (symbol === 'B' && minute === 2 ? marketLong(ctx, 60) : null), { name: 'third', risk: ['loose', 'capped'] });
    testScheduler().run(({ cold, expectObservable }) => {
      const events = fused(portfolio(cold, ['A', 'B'], 2), [first, second, third], createRiskBook([capped, loose]), cfg);
      const named = events.pipe(map((e) => `${e.strategy}/${label(e)}`));
      const { marbles, values } = timeline(
        { 0: 'first/A:opened@1', 1: 'second/B:opened@1', 3: "third/B:risk@2 (risk profile 'capped': maxConcurrentPositions 1 reached (1 open))" },
        4,
      );
      expectObservable(named).toBe(marbles, values);
    });
  });

  it('scheduled signals hold no slot; a rejection at activation cancels the signal with reason risk', () => {
    const cfg = config();
    const limit: SignalResult = { position: 'long', priceOpen: 99, priceTakeProfit: 105, priceStopLoss: 95, minuteEstimatedTime: 60 };
    // B schedules a limit at 00:01; A opens at 00:02 (B's scheduled signal holds no slot); B's 00:02 candle reaches 99.
    const s = strategy((symbol, minute, ctx) => (symbol === 'B' && minute === 1 ? limit : symbol === 'A' && minute === 2 ? marketLong(ctx, 60) : null));
    testScheduler().run(({ cold, expectObservable }) => {
      const source = portfolio(cold, ['A', 'B'], 5, { 'B@2': candle(2, 100, 100, 98.5, 100) });
      const events = fused(source, [s], createRiskBook(maxOne), cfg);
      expectObservable(events.pipe(map(label), toArray())).toBe('----------(a|)', {
        a: ['B:scheduled@1', 'A:opened@2', `B:risk@3 (${FULL})`, 'B:cancelled:risk@3'],
      });
    });
  });

  it('an allowed activation opens', () => {
    const cfg = config();
    const limit: SignalResult = { position: 'long', priceOpen: 99, priceTakeProfit: 105, priceStopLoss: 95, minuteEstimatedTime: 60 };
    const s = strategy((symbol, minute) => (symbol === 'B' && minute === 1 ? limit : null));
    testScheduler().run(({ cold, expectObservable }) => {
      const source = portfolio(cold, ['A', 'B'], 3, { 'B@2': candle(2, 100, 100, 98.5, 100) });
      const { marbles, values } = timeline({ 1: 'B:scheduled@1', 5: 'B:opened@3' }, 6);
      expectObservable(fused(source, [s], createRiskBook(maxOne), cfg).pipe(map(label))).toBe(marbles, values);
    });
  });
});

describe('riskGate: validations', () => {
  it('run in order after the limit; the first that returns false (its note) or throws (its message) rejects', () => {
    const cfg = config();
    const calls: string[] = [];
    const profile = defineRisk({
      name: 'rules',
      validations: [
        { validate: (p) => (calls.push(`first@${minuteOf(p.now)}`), p.now !== minutes(1)), note: 'not at 00:01' },
        (p) => {
          calls.push(`second@${minuteOf(p.now)}`);
          if (p.now === minutes(2)) throw new Error('no trading at 00:02');
        },
      ],
    });
    const s = strategy((_symbol, _minute, ctx) => marketLong(ctx, 60));
    testScheduler().run(({ cold, expectObservable }) => {
      const events = fused(portfolio(cold, ['A'], 3), [s], createRiskBook(profile), cfg);
      expectObservable(events.pipe(map(label))).toBe('abc|', {
        a: 'A:risk@1 (not at 00:01)',
        b: 'A:risk@2 (no trading at 00:02)',
        c: 'A:opened@3',
      });
    });
    expect(calls).toEqual(['first@1', 'first@2', 'second@2', 'first@3', 'second@3']);
  });

  it('a validation returning false without a note is named', () => {
    const cfg = config();
    const profile = defineRisk({ name: 'rules', validations: [() => true, { validate: () => false }] });
    const s = strategy((_symbol, _minute, ctx) => marketLong(ctx, 60));
    testScheduler().run(({ cold, expectObservable }) => {
      const events = fused(portfolio(cold, ['A'], 1), [s], createRiskBook(profile), cfg);
      expectObservable(events.pipe(map(label))).toBe('a|', { a: "A:risk@1 (risk profile 'rules': validation 2 returned false)" });
    });
  });

  it('a non-Error throw is a rejection with a clear reason', () => {
    const cfg = config();
    const profile = defineRisk({
      name: 'rules',
      validations: [
        { validate: () => { throw 'nope'; }, note: 'quirky' },
        () => { throw new Error(); },
      ],
    });
    const second = defineRisk({ name: 'other', validations: [() => { throw new TypeError(''); }] });
    const s = strategy((_symbol, _minute, ctx) => marketLong(ctx, 60));
    const t = strategy((_symbol, _minute, ctx) => marketLong(ctx, 60), { name: 'other-strat', risk: 'other' });
    testScheduler().run(({ cold, expectObservable }) => {
      const events = fused(portfolio(cold, ['A'], 1), [s, t], createRiskBook([profile, second]), cfg);
      expectObservable(events.pipe(map(label), toArray())).toBe('-(a|)', {
        a: [
          `A:risk@1 (risk profile 'rules': validation 1 (quirky) threw a non-Error value: "nope")`,
          "A:risk@1 (risk profile 'other': validation 1 threw TypeError without a message)",
        ],
      });
    });
  });

  it('the payload: the proposal and the positions open under the profile at that instant, oldest first', () => {
    const cfg = config();
    const seen: RiskPayload[] = [];
    const profile = defineRisk({ name: 'watch', validations: [(p) => void seen.push(p)] });
    const s = strategy((symbol, minute, ctx) => (minute === (symbol === 'C' ? 1 : symbol === 'A' ? 2 : 3) ? marketLong(ctx, 60) : null));
    testScheduler().run(({ cold, expectObservable }) => {
      const events = fused(portfolio(cold, ['A', 'B', 'C'], 3), [s], createRiskBook(profile), cfg);
      expectObservable(events.pipe(map(label))).toBe('--ab---c-|', { a: 'C:opened@1', b: 'A:opened@2', c: 'B:opened@3' });
    });
    expect(seen.map((p) => [p.symbol, minuteOf(p.now), p.activePositionCount, p.activePositions.map((x) => x.symbol)])).toEqual([
      ['C', 1, 0, []],
      ['A', 2, 1, ['C']],
      ['B', 3, 2, ['C', 'A']],
    ]);
    const last = seen[2]!;
    expect(last).toMatchObject({ strategy: 'strat', position: 'long', priceOpen: 100, currentPrice: 100 });
    expect(last.activePositions[0]).toEqual({ strategy: 'strat', symbol: 'C', signal: expect.objectContaining({ pendingAt: minutes(1) }) });
    expect(last.signal).toMatchObject({ id: 'strat:B:180000', priceTakeProfit: 101 });
  });
});

/** A thenable answering `value` (or failing with `error`) after `delay` frames; never when delay is null. */
function later<T>(scheduler: TestScheduler, delay: number | null, outcome: { value?: T; error?: unknown }): PromiseLike<T> {
  return {
    then(onFulfilled, onRejected) {
      if (delay !== null) {
        scheduler.schedule(() => ('error' in outcome ? onRejected?.(outcome.error) : onFulfilled?.(outcome.value as T)), delay);
      }
      return undefined as never;
    },
  };
}

describe('riskGate: asynchronous validations in virtual time', () => {
  it('a validation that never answers rejects at exactly signalTimeoutMs; later candles wait and follow in order', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const cfg = config();
      const profile = defineRisk({
        name: 'slow',
        validations: [{ validate: (p) => (p.now === minutes(1) ? later<boolean>(scheduler, null, {}) : true), note: 'exchange limits' }],
      });
      const s = strategy((_symbol, _minute, ctx) => marketLong(ctx, 60));
      const events = fused(portfolio(cold, ['A'], 2), [s], createRiskBook(profile), cfg, scheduler);
      expectObservable(events.pipe(map(label))).toBe('180000ms (ro|)', {
        r: "A:risk@1 (risk profile 'slow': validation 1 (exchange limits) timed out after 180000 ms)",
        o: 'A:opened@2',
      });
    });
  });

  it('a slow answer before the timeout decides: false (its note), a rejection (its message), then allowed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const cfg = config({ signalTimeoutMs: 10 });
      const profile = defineRisk({
        name: 'slow',
        validations: [
          {
            validate: (p) => {
              const minute = minuteOf(p.now);
              if (minute === 1) return later(scheduler, 3, { value: false });
              if (minute === 2) return later(scheduler, 2, { error: new Error('margin check failed') });
              if (minute === 3) return later(scheduler, 4, { error: 42 });
              return later(scheduler, 1, { value: true });
            },
            note: 'margin',
          },
        ],
      });
      const s = strategy((_symbol, _minute, ctx) => marketLong(ctx, 60));
      const events = fused(portfolio(cold, ['A'], 4), [s], createRiskBook(profile), cfg, scheduler);
      // Each candle waits for the previous one's answer: 3 + 2 + 4 + 1 frames.
      expectObservable(events.pipe(map(label))).toBe('---a-b---c(d|)', {
        a: 'A:risk@1 (margin)',
        b: 'A:risk@2 (margin check failed)',
        c: "A:risk@3 (risk profile 'slow': validation 1 (margin) rejected a non-Error value: 42)",
        d: 'A:opened@4',
      });
    });
  });

  it('an activation check that hangs cancels the scheduled signal at signalTimeoutMs', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const cfg = config({ signalTimeoutMs: 50 });
      const limit: SignalResult = { position: 'long', priceOpen: 99, priceTakeProfit: 105, priceStopLoss: 95, minuteEstimatedTime: 60 };
      const profile = defineRisk({ name: 'slow', validations: [(p) => (p.signal.pendingAt === null && p.now === minutes(2) ? later<boolean>(scheduler, null, {}) : true)] });
      const s = strategy((_symbol, minute) => (minute === 1 ? limit : null));
      const source = portfolio(cold, ['A'], 2, { 'A@1': candle(1, 100, 100, 98.5, 100) });
      const events = fused(source, [s], createRiskBook(profile), cfg, scheduler);
      expectObservable(events.pipe(map(label))).toBe('s 50ms (rc|)', {
        s: 'A:scheduled@1',
        r: "A:risk@2 (risk profile 'slow': validation 1 timed out after 50 ms)",
        c: 'A:cancelled:risk@2',
      });
    });
  });
});

describe('riskGate: the composed operator', () => {
  it('between askStrategy and enterSignal, with the activation check in activateScheduled', () => {
    const cfg = config();
    const s = strategy((symbol, minute, ctx) => (symbol === 'A' && minute !== 1 ? null : marketLong(ctx, 2)));
    const book = createRiskBook(maxOne);
    testScheduler().run(({ cold, expectObservable }) => {
      const events = portfolio(cold, ['A', 'B'], 3).pipe(
        averagePrice(cfg),
        openLane({ strategy: s.name }),
        activateScheduled(cfg, { activation: riskActivationCheck(book, s, cfg) }),
        monitorSignal(cfg),
        partialMilestones(cfg),
        askStrategy(s, cfg),
        riskGate(book, s, cfg),
        enterSignal(),
        laneEvents(),
      );
      const { marbles, values } = timeline({ 0: 'A:opened@1', 1: `B:risk@1 (${FULL})`, 3: `B:risk@2 (${FULL})`, 4: 'A:closed:time_expired@3', 5: 'B:opened@3' }, 6);
      expectObservable(events.pipe(map(label))).toBe(marbles, values);
    });
  });
});

describe('risk book: restored lanes and unknown profiles', () => {
  it('an open position restored from a checkpoint counts before its lane sees a candle', () => {
    const cfg = config();
    const open = longSignal({ id: 'old', scheduledAt: 0, pendingAt: 0, minuteEstimatedTime: 600 });
    const s = strategy((symbol, _minute, ctx) => (symbol === 'A' ? marketLong(ctx, 60) : null));
    const restore = (_strategy: string, symbol: string) => (symbol === 'Z' ? { state: { ...IDLE_STATE, signal: open }, lastTimestamp: -Infinity } : undefined);
    const run = (seed: boolean) =>
      testScheduler().run(({ cold, expectObservable }) => {
        const book = createRiskBook(maxOne);
        if (seed) book.seed([{ strategy: 'strat', symbol: 'Z', state: { ...IDLE_STATE, signal: open } }]);
        const events = fused(portfolio(cold, ['A', 'Z'], 1), [s], book, cfg, undefined, { restore });
        expectObservable(events.pipe(map(label))).toBe(seed ? 'a-|' : 'b-|', { a: `A:risk@1 (${FULL})`, b: 'A:opened@1' });
      });
    // Seeded (as backtest does from its store): A, first at 00:01, already sees Z's position.
    run(true);
    // Not seeded, Z's lane is restored only when its own candle arrives — after A's at the same instant.
    run(false);
  });

  it('a restored position leaves the book when its lane closes it', () => {
    const cfg = config();
    const open = longSignal({ id: 'old', scheduledAt: 0, pendingAt: 0, minuteEstimatedTime: 2 });
    const s = strategy((symbol, _minute, ctx) => (symbol === 'A' ? marketLong(ctx, 60) : null));
    const restore = (_strategy: string, symbol: string) => (symbol === 'Z' ? { state: { ...IDLE_STATE, signal: open }, lastTimestamp: -Infinity } : undefined);
    testScheduler().run(({ cold, expectObservable }) => {
      const book = createRiskBook(maxOne);
      book.seed([{ strategy: 'strat', symbol: 'Z', state: { ...IDLE_STATE, signal: open } }]);
      const events = fused(portfolio(cold, ['A', 'Z'], 3), [s], book, cfg, undefined, { restore });
      const { marbles, values } = timeline({ 0: `A:risk@1 (${FULL})`, 2: `A:risk@2 (${FULL})`, 3: 'Z:closed:time_expired@2', 4: 'A:opened@3' }, 6);
      expectObservable(events.pipe(map(label))).toBe(marbles, values);
    });
  });

  it('a strategy naming an unknown profile fails when the gate is built', () => {
    const cfg = config();
    const book = createRiskBook(maxOne);
    const s = strategy(() => null, { risk: ['portfolio', 'typo'] });
    expect(() => riskGateStage(book, s, cfg)).toThrow(RiskError);
    expect(() => riskGateStage(book, s, cfg)).toThrow("strategy 'strat' names risk profile 'typo', which is not defined (known: 'portfolio')");
  });
});
