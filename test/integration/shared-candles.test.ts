import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { series, trend } from '../support/fixtures.js';

// Strategies on one symbol read the same history: what one does with the candles it is handed must not change
// what another sees, nor the prices the engine checks take-profits and stop-losses against.

/** Reads the last candles and tries to rewrite them (and appends a made-up one) before answering nothing. */
const vandal: Strategy = {
  name: 'vandal',
  interval: '1m',
  getSignal: (ctx) => {
    const cs = ctx.candles('1m', 20);
    cs.push({ ...cs[0]!, close: 1 } as Candle);
    for (const c of cs) {
      try {
        (c as { close: number }).close *= 1.5;
        (c as { high: number }).high *= 1.5;
      } catch {
        // frozen: the attempt is refused
      }
    }
    return null;
  },
};

const onlyTrend = (events: SignalEvent[]) => events.filter((e) => e.strategy === 'trend');

describe('candles handed to strategies', () => {
  it("one strategy mutating its candles does not change another's events", async () => {
    const candles = series(2_000, 0);
    const alone = await collect(backtest({ source: replayCandles({ X: series(2_000, 0) }), strategies: [trend] }));
    const shared = await collect(backtest({ source: replayCandles({ X: candles }), strategies: [vandal, trend] }));
    expect(onlyTrend(alone).length).toBeGreaterThan(50);
    expect(onlyTrend(shared)).toEqual(onlyTrend(alone));
    expect(shared.filter((e) => e.strategy === 'vandal')).toEqual([]);
  });

  it('are frozen; the array is the caller’s own', async () => {
    const seen: { frozen: boolean; length: number }[] = [];
    const probe: Strategy = {
      name: 'probe',
      interval: '1m',
      getSignal: (ctx) => {
        const cs = ctx.candles('1m', 3);
        seen.push({ frozen: cs.every((c) => Object.isFrozen(c)), length: cs.length });
        cs.length = 0;
        // Reads of other lengths, now and then: overlapping, nested and disjoint from what was handed out before.
        const m = (ctx.now / 60_000) % 17;
        const wide = m === 0 ? ctx.candles('1m', 40) : m === 5 ? ctx.candles('1m', 1) : [];
        if (wide.some((c) => !Object.isFrozen(c))) seen.push({ frozen: false, length: -1 });
        return null;
      },
    };
    await collect(backtest({ source: replayCandles({ X: series(100, 0) }), strategies: [probe] }));
    expect(seen.map((s) => s.length)).toEqual([1, 2, ...Array<number>(98).fill(3)]);
    expect(seen.every((s) => s.frozen)).toBe(true);
  });
});
