import { describe, expect, it } from 'vitest';
import { IDLE_STATE } from '../../src/core/lane.js';
import { defineRisk, RiskError, type RiskProfile } from '../../src/core/risk.js';
import { createRiskBook } from '../../src/core/risk-book.js';
import type { Signal } from '../../src/core/signal.js';
import { checkRisk } from '../../src/operators/risk-check.js';

const M = 60_000;

function openSignal(id: string, pendingAt: number): Signal {
  return {
    id,
    position: 'long',
    priceOpen: 100,
    priceTakeProfit: 105,
    priceStopLoss: 95,
    minuteEstimatedTime: 60,
    scheduledAt: pendingAt,
    pendingAt,
    note: null,
  };
}

const holding = (strategy: string, symbol: string, signal: Signal | null) => ({ strategy, symbol, state: { ...IDLE_STATE, signal } });

describe('defineRisk', () => {
  it('accepts a profile and returns it unchanged', () => {
    const validate = () => true;
    const profile = { name: 'p', maxConcurrentPositions: 3, validations: [validate, { validate, note: 'n' }] };
    expect(defineRisk(profile)).toBe(profile);
    expect(defineRisk({ name: 'bare' })).toEqual({ name: 'bare' });
  });

  it('lists every problem, naming the profile, the field and what was expected', () => {
    const bad = { name: 'p', maxConcurrentPositions: 1.5, validations: [() => true, { validate: 'no' }, { validate: () => true, note: 3 }] };
    expect(() => defineRisk(bad as unknown as RiskProfile)).toThrow(
      "risk profile 'p' is not valid: 'maxConcurrentPositions': expected a positive integer; " +
        "'validations.1': expected a function or { validate: function, note?: string }; " +
        "'validations.2': expected a function or { validate: function, note?: string }",
    );
    expect(() => defineRisk({ name: 'p', maxConcurrentPositions: 0 })).toThrow("'maxConcurrentPositions': expected a positive integer");
  });

  it('unknown keys are an error (a typo never silently drops a rule)', () => {
    expect(() => defineRisk({ name: 'p', maxConcurrentPosition: 2 } as unknown as RiskProfile)).toThrow(
      "risk profile 'p' is not valid: unknown key(s) 'maxConcurrentPosition'",
    );
    expect(() => defineRisk({ name: 'p', validations: [{ validate: () => true, nots: 'x' }] } as unknown as RiskProfile)).toThrow(
      "'validations.0': expected a function",
    );
  });

  it('a missing name or a non-object is reported too, as a RiskError', () => {
    expect(() => defineRisk({ maxConcurrentPositions: 2 } as unknown as RiskProfile)).toThrow(/^risk profile is not valid: 'name': /);
    expect(() => defineRisk(null as unknown as RiskProfile)).toThrow(RiskError);
    expect(() => defineRisk(42 as unknown as RiskProfile, 'risk module x.mjs')).toThrow(/^risk module x\.mjs is not valid: /);
  });
});

describe('createRiskBook', () => {
  it('profile names must be unique; every profile is validated', () => {
    expect(() => createRiskBook([{ name: 'a' }, { name: 'a' }])).toThrow("two risk profiles are named 'a'");
    expect(() => createRiskBook([{ name: 'a' }, { name: 'b', maxConcurrentPositions: -1 }])).toThrow("risk profile 'b' is not valid");
    expect(() => createRiskBook([{ name: '' }])).toThrow("risk profile [0] is not valid: 'name': name must be a non-empty string");
  });

  it('a strategy is subject to the profiles it names, in its order, or to every profile when it names none', () => {
    const book = createRiskBook([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    book.register([{ name: 'all' }, { name: 'empty', risk: [] }, { name: 'one', risk: 'b' }, { name: 'two', risk: ['c', 'a', 'c'] }]);
    const names = (s: string) => book.profilesOf(s).map((p) => p.name);
    expect(names('all')).toEqual(['a', 'b', 'c']);
    expect(names('empty')).toEqual(['a', 'b', 'c']);
    expect(names('one')).toEqual(['b']);
    expect(names('two')).toEqual(['c', 'a']);
    expect(() => book.profilesOf('stranger')).toThrow("strategy 'stranger' is not registered");
  });

  it('naming an unknown profile is an error that names the strategy, the profile and the known ones', () => {
    expect(() => createRiskBook([]).register({ name: 's', risk: 'max2' })).toThrow(
      "strategy 's' names risk profile 'max2', which is not defined (none were given)",
    );
    const book = createRiskBook([{ name: 'a' }]);
    expect(() => book.register({ name: 's', risk: ['a', 'b'] })).toThrow("strategy 's' names risk profile 'b', which is not defined (known: 'a')");
    book.register({ name: 's', risk: 'a' });
    book.register({ name: 's', risk: ['a'] });
    expect(() => book.register({ name: 's' })).not.toThrow();
    const two = createRiskBook([{ name: 'a' }, { name: 'b' }]);
    two.register({ name: 's', risk: 'a' });
    expect(() => two.register({ name: 's', risk: 'b' })).toThrow("two strategies are named 's' with different risk profiles");
  });

  it('open positions are read from the tracked lanes: scheduled signals and idle lanes hold no slot', () => {
    const book = createRiskBook([{ name: 'a' }, { name: 'b' }]);
    book.register([{ name: 'x' }, { name: 'y', risk: 'b' }]);
    const [a, b] = book.profiles;
    const laneX1 = holding('x', 'ETH', openSignal('x1', 5 * M));
    const laneX2 = holding('x', 'ADA', openSignal('x2', 5 * M));
    const laneY = holding('y', 'BTC', openSignal('y1', 2 * M));
    const scheduled = holding('x', 'XLM', { ...openSignal('x3', 1 * M), pendingAt: null });
    for (const lane of [laneX1, laneX2, laneY, scheduled]) book.track(lane);
    const ids = (profile: typeof a) => book.activePositions(profile!).map((p) => p.signal.id);
    expect(ids(a)).toEqual(['x2', 'x1']);
    expect(ids(b)).toEqual(['y1', 'x2', 'x1']);
    // The lane closes: its slot is free at once, nothing to release.
    (laneX1 as { state: unknown }).state = IDLE_STATE;
    expect(ids(a)).toEqual(['x2']);
    // A position opened after the instant asked about does not count yet.
    expect(book.activePositions(b!, 4 * M).map((p) => p.signal.id)).toEqual(['y1']);
  });

  it('seeded restored positions stand in until the lane itself is tracked', () => {
    const book = createRiskBook([{ name: 'a' }]);
    book.register({ name: 'x' });
    book.seed([holding('x', 'ETH', openSignal('old', 0)), holding('x', 'ADA', null)]);
    expect(book.seeding).toBe(true);
    expect(book.activePositions(book.profiles[0]!).map((p) => p.signal.id)).toEqual(['old']);
    const lane = holding('x', 'ETH', null);
    book.track(lane);
    expect(book.seeding).toBe(false);
    expect(book.activePositions(book.profiles[0]!)).toEqual([]);
    // A later seed never replaces a live lane.
    book.seed([holding('x', 'ETH', openSignal('stale', 0))]);
    expect(book.activePositions(book.profiles[0]!)).toEqual([]);
  });
});

describe('checkRisk', () => {
  const request = { strategy: 's', symbol: 'ETH', signal: openSignal('new', 10 * M), now: 10 * M, currentPrice: 100 };

  it('null when allowed (also with no profiles), the reason when rejected, synchronously for synchronous validations', () => {
    const none = createRiskBook([]);
    none.register({ name: 's' });
    expect(checkRisk(none, request, { timeoutMs: 1000 })).toBeNull();
    const book = createRiskBook([{ name: 'p', validations: [() => undefined, () => true, { validate: (p) => p.currentPrice > 200, note: 'too cheap' }] }]);
    book.register({ name: 's' });
    expect(checkRisk(book, request, { timeoutMs: 1000 })).toBe('too cheap');
  });

  it('maxConcurrentPositions is checked before the validations', () => {
    let called = false;
    const book = createRiskBook([{ name: 'p', maxConcurrentPositions: 1, validations: [() => ((called = true), true)] }]);
    book.register({ name: 's' });
    book.track(holding('s', 'BTC', openSignal('o', 0)));
    expect(checkRisk(book, request, { timeoutMs: 1000 })).toBe("risk profile 'p': maxConcurrentPositions 1 reached (1 open)");
    expect(called).toBe(false);
  });

  it('an async validation: a pending verdict that settles with the reason', async () => {
    const book = createRiskBook([{ name: 'p', validations: [async () => true, async () => { throw new Error('venue closed'); }] }]);
    book.register({ name: 's' });
    const verdict = checkRisk(book, request, { timeoutMs: 1000 });
    expect(verdict !== null && typeof verdict === 'object').toBe(true);
    const pending = verdict as Exclude<typeof verdict, string | null>;
    await new Promise<void>((resolve) => pending.then(resolve));
    expect(pending.reason).toBe('venue closed');
  });
});
