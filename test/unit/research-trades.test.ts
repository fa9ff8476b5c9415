import { describe, expect, it } from 'vitest';
import { closedEvent, signalEvent, type SignalEvent } from '../../src/core/events.js';
import { computePnl } from '../../src/core/pnl.js';
import type { Position, Signal } from '../../src/core/signal.js';
import { DRAWDOWN_BINS, MonteCarloResultSchema, longestLosingStreak, maxDrawdown, monteCarloTradeOrder, sortedHistogram } from '../../src/research/monte-carlo.js';
import { percentileOfSorted } from '../../src/research/percentile.js';
import { randomEntrySignificance, RandomEntryResultSchema, tradeShapes } from '../../src/research/random-entry.js';
import { periodReturns } from '../../src/research/return-matrix.js';
import { Sfc32 } from '../../src/sources/prng.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function signal(strategy: string, position: Position, openedAt: number): Signal {
  return {
    id: `${strategy}:${openedAt}`,
    position,
    priceOpen: 100,
    priceTakeProfit: position === 'long' ? 110 : 90,
    priceStopLoss: position === 'long' ? 90 : 110,
    minuteEstimatedTime: 600,
    scheduledAt: openedAt,
    pendingAt: openedAt,
    note: null,
  };
}

function closed(strategy: string, openedAt: number, closedAt: number, pnlPercentage: number, position: Position = 'long', symbol = 'BTC/USDT'): SignalEvent {
  const pnl = { pnlPercentage, priceOpen: 100, priceClose: 100, priceOpenAdjusted: 100, priceCloseAdjusted: 100 };
  return closedEvent({ symbol, strategy }, signal(strategy, position, openedAt), closedAt, 'time_expired', pnl);
}

describe('periodReturns: the T×N matrix from closed events', () => {
  it('sums pnl/100 per trial per UTC day, zero rows included, other actions ignored', () => {
    const events = [
      signalEvent('opened', { symbol: 'BTC/USDT', strategy: 'A[k=1]' }, signal('A[k=1]', 'long', T0), T0),
      closed('A[k=1]', T0, T0 + 3_600_000, 1.5),
      closed('A[k=2]', T0, T0 + 5_000_000, -0.5),
      closed('A[k=1]', T0 + 2 * DAY, T0 + 2 * DAY + 10, 2, 'short', 'ETH/USDT'),
      closed('A[k=1]', T0 + 2 * DAY, T0 + 3 * DAY - 1, -1),
    ];
    const r = periodReturns(events, { from: T0, to: T0 + 4 * DAY });
    expect(r.trials).toEqual(['A[k=1]', 'A[k=2]']);
    expect(r.periods).toEqual([T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY]);
    expect(r.matrix).toEqual([
      [0.015, -0.005],
      [0, 0],
      [0.01, 0],
      [0, 0],
    ]);
  });

  it('keeps the listed column order, includes trials without closes, and aligns periods to the epoch', () => {
    const r = periodReturns([closed('B', T0, T0 + 7 * 3_600_000, 3)], { from: T0 + 3_600_000, to: T0 + 13 * 3_600_000, periodMs: 6 * 3_600_000, trials: ['C', 'B'] });
    expect(r.periods).toEqual([T0, T0 + 6 * 3_600_000, T0 + 12 * 3_600_000]);
    expect(r.matrix).toEqual([[0, 0], [0, 0.03], [0, 0]]);
  });

  it('a close outside the span or of an unlisted trial is an error naming the event', () => {
    expect(() => periodReturns([closed('A', T0, T0 + 5 * DAY, 1)], { from: T0, to: T0 + DAY })).toThrow(/A\|BTC\/USDT\|.*closed.*outside the span/);
    expect(() => periodReturns([closed('Z', T0, T0 + 10, 1)], { from: T0, to: T0 + DAY, trials: ['A'] })).toThrow(/trial "Z", which is not among the listed trials/);
    expect(() => periodReturns([], { from: T0, to: T0 + DAY, trials: ['A', 'A'] })).toThrow(/trial names must be distinct/);
  });
});

describe('percentiles (type 7)', () => {
  it('interpolates between closest ranks', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileOfSorted([10, 20, 30, 40, 50], 95)).toBeCloseTo(48, 12);
    expect(percentileOfSorted([10, 20, 30, 40, 50], 5)).toBeCloseTo(12, 12);
    expect(percentileOfSorted([7], 95)).toBe(7);
  });
});

describe('Monte Carlo of trade order', () => {
  const pnls = [2, -1, -1, 3, -2, 1, -1, 0.5, -0.5, 1.5];

  it('drawdown and streak of one order', () => {
    expect(maxDrawdown([1, -2, 3, -1, -1.5])).toBe(2.5);
    expect(maxDrawdown([-1, -1])).toBe(2);
    expect(longestLosingStreak([1, -1, -1, 0, -1, -1, -1, 2])).toBe(3);
  });

  it('same seed, same result; the percentiles bracket the distribution and bound the possible values', () => {
    const a = monteCarloTradeOrder(pnls, { runs: 500, seed: 's' });
    expect(monteCarloTradeOrder(pnls, { runs: 500, seed: 's' })).toEqual(a);
    expect(monteCarloTradeOrder(pnls, { runs: 500, seed: 't' })).not.toEqual(a);
    expect(MonteCarloResultSchema.parse(a)).toEqual(a);
    expect(a).toMatchObject({ trades: 10, runs: 500, seed: 's', reason: null });
    const dd = a.maxDrawdown!;
    expect(dd.actual).toBe(maxDrawdown(pnls));
    expect(dd.p5).toBeLessThanOrEqual(dd.p50);
    expect(dd.p50).toBeLessThanOrEqual(dd.p95);
    // Every order loses at most all its losses (6) and at least the largest single loss (2).
    expect(dd.p5).toBeGreaterThanOrEqual(2);
    expect(dd.p95).toBeLessThanOrEqual(6);
    const streak = a.longestLosingStreak!;
    expect(streak.p5).toBeGreaterThanOrEqual(1);
    expect(streak.p95).toBeLessThanOrEqual(5);
    expect(streak.p95).toBeGreaterThan(streak.p5);
    // The distribution behind the percentiles: every run in one of the bins, from the smallest drawdown up.
    const h = a.drawdownHistogram!;
    expect(h.counts).toHaveLength(DRAWDOWN_BINS);
    expect(h.counts.reduce((x, y) => x + y, 0)).toBe(500);
    expect(h.from).toBeLessThanOrEqual(dd.p5);
    expect(h.from + DRAWDOWN_BINS * h.binWidth).toBeGreaterThanOrEqual(dd.p95);
  });

  it('a histogram of sorted values: equal bins over [first, last], the last value in the last bin', () => {
    expect(sortedHistogram([1, 2, 2, 4], 3)).toEqual({ from: 1, binWidth: 1, counts: [1, 2, 1] });
    expect(sortedHistogram([3, 3], 5)).toEqual({ from: 3, binWidth: 0, counts: [2] });
    expect(sortedHistogram([], 5)).toEqual({ from: 0, binWidth: 0, counts: [] });
  });

  it('all-loss trades give the same path in every order', () => {
    const r = monteCarloTradeOrder([-1, -2, -3], { runs: 50 });
    expect(r.maxDrawdown).toEqual({ p5: 6, p50: 6, p95: 6, actual: 6 });
    expect(r.longestLosingStreak).toEqual({ p5: 3, p50: 3, p95: 3, actual: 3 });
    expect(r.drawdownHistogram).toEqual({ from: 6, binWidth: 0, counts: [50] });
    expect(r).toMatchObject({ runs: 50, seed: '0' });
  });

  it('fewer than 2 trades: null with the reason', () => {
    expect(monteCarloTradeOrder([1.5])).toMatchObject({ maxDrawdown: null, longestLosingStreak: null, drawdownHistogram: null, trades: 1, runs: 1000, reason: expect.stringContaining('at least 2') });
  });
});

describe('random-entry significance', () => {
  const costs = { feePercent: 0.1, slippagePercent: 0.1 };
  // A steady uptrend: 1% per candle.
  const rising = Array.from({ length: 200 }, (_, i) => 100 * 1.01 ** i);

  it('a long strategy that earns (a hair less than) what the trend gives is matched by random longs: p-value 1', () => {
    const trend = computePnl('long', rising[0]!, rising[5]!, costs).pnlPercentage;
    const trade = { position: 'long' as const, durationMinutes: 5, pnlPercentage: trend - 1e-9 };
    const r = randomEntrySignificance(rising, [trade, trade], { ...costs, runs: 200, seed: 'x' });
    // Every random long of 5 candles earns the same, up to rounding, on a constant-rate trend.
    expect(r.pValue).toBe(1);
    expect(r).toMatchObject({ runs: 200, seed: 'x', trades: 2, candles: 200, reason: null });
    expect(RandomEntryResultSchema.parse(r)).toEqual(r);
  });

  it('a strategy beating every random run gets the smallest p-value, 1/(1 + runs)', () => {
    const r = randomEntrySignificance(rising, [{ position: 'short', durationMinutes: 10, pnlPercentage: 5 }], { ...costs, runs: 99 });
    expect(r.pValue).toBe(0.01);
    expect(r.randomTotalPnl!.p95).toBeLessThan(0);
  });

  it('each random trade is exactly computePnl of its entry and exit closes (same bits, same draws)', () => {
    let x = 7;
    const noisy = Array.from({ length: 3000 }, () => 50 + ((x = (x * 16807) % 2147483647) / 2147483647) * 5);
    const trades = Array.from({ length: 40 }, (_, i) => ({ position: (i % 3 === 0 ? 'short' : 'long') as 'long' | 'short', durationMinutes: 1 + ((i * 7) % 90), pnlPercentage: 0.1 * (i % 5) - 0.2 }));
    const options = { feePercent: 0.075, slippagePercent: 0.05, runs: 300, seed: 'bits' };
    // The definition, spelled out: per run, per trade in order, one draw for the entry, computePnl for the pnl.
    const rng = Sfc32.from('bits', 'random-entry');
    const totals: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      let total = 0;
      for (const t of trades) {
        const entry = Math.floor(rng.uniform() * (noisy.length - t.durationMinutes));
        total += computePnl(t.position, noisy[entry]!, noisy[entry + t.durationMinutes]!, options).pnlPercentage;
      }
      totals.push(total);
    }
    const own = trades.reduce((s, t) => s + t.pnlPercentage, 0);
    const sorted = Float64Array.from(totals).sort();
    const r = randomEntrySignificance(noisy, trades, options);
    expect(r.pValue).toBe((1 + totals.filter((t) => t >= own).length) / (1 + options.runs));
    expect(r.randomTotalPnl).toEqual({ p5: percentileOfSorted(sorted, 5), p50: percentileOfSorted(sorted, 50), p95: percentileOfSorted(sorted, 95) });
  });

  it('holding time in steps of the candle interval; seeded and deterministic on a noisy series', () => {
    let x = 1;
    const noisy = Array.from({ length: 500 }, () => 100 + ((x = (x * 16807) % 2147483647) / 2147483647) * 10);
    const trades = [
      { position: 'long' as const, durationMinutes: 60, pnlPercentage: 1 },
      { position: 'short' as const, durationMinutes: 15, pnlPercentage: 0.5 },
    ];
    const a = randomEntrySignificance(noisy, trades, { ...costs, intervalMinutes: 15, seed: 'q' });
    expect(randomEntrySignificance(noisy, trades, { ...costs, intervalMinutes: 15, seed: 'q' })).toEqual(a);
    expect(a.pValue).toBeGreaterThan(0);
    expect(a.pValue).toBeLessThan(1);
    expect(a.strategyTotalPnl).toBe(1.5);
  });

  it('null when a trade is longer than the span or there are no trades; bad closes are errors', () => {
    expect(randomEntrySignificance([1, 2, 3], [{ position: 'long', durationMinutes: 3, pnlPercentage: 1 }], costs)).toMatchObject({ pValue: null, reason: expect.stringContaining('holds 3 candles') });
    expect(randomEntrySignificance([1, 2, 3], [], costs)).toMatchObject({ pValue: null, trades: 0 });
    expect(() => randomEntrySignificance([1, 0, 3], [], costs)).toThrow(/close 1 is 0/);
  });

  it('tradeShapes reads direction, duration and pnl of closed events', () => {
    expect(tradeShapes([closed('A', T0, T0 + 30 * 60_000, -0.7, 'short')])).toEqual([{ position: 'short', durationMinutes: 30, pnlPercentage: -0.7 }]);
  });
});
