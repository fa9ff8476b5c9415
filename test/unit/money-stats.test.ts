import { describe, expect, it } from 'vitest';
import { DAY_MS, PortfolioStatsAccumulator } from '../../src/core/portfolio-stats.js';

const D0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

/** Independent formulas over the whole array, to check the streaming accumulator against. */
function reference(dailyCloses: number[], balance: number) {
  const r = dailyCloses.map((e, i) => e / (i === 0 ? balance : dailyCloses[i - 1]!) - 1);
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const sampleStd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
  const downside = Math.sqrt(r.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / r.length);
  return { sharpe: (mean / sampleStd) * Math.sqrt(365), sortino: (mean / downside) * Math.sqrt(365) };
}

describe('portfolio statistics over the equity curve (SEMANTICS §12)', () => {
  it('drawdown from a running peak starting at the balance; daily returns from each UTC day\'s last point', () => {
    const acc = new PortfolioStatsAccumulator(10_000);
    // Day 0: an intraday peak of 10 300, then 10 100 at the day's end; day 1 ends at 9 999 (trough 9 900); day 2 at 10 200.
    const points: Array<[number, number]> = [
      [D0 + 1 * H, 9_950],
      [D0 + 5 * H, 10_300],
      [D0 + 23 * H, 10_100],
      [D0 + DAY_MS + 2 * H, 9_900],
      [D0 + DAY_MS + 20 * H, 9_999],
      [D0 + 2 * DAY_MS + 1 * H, 10_200],
    ];
    for (const [t, e] of points) acc.add(t, e);
    const spanStart = D0;
    const spanEnd = D0 + 3 * DAY_MS;
    const stats = acc.result({ spanStart, spanEnd, exposureMs: DAY_MS, feesPaid: 12.5 });
    const ref = reference([10_100, 9_999, 10_200], 10_000);
    expect(stats.finalEquity).toBe(10_200);
    expect(stats.totalReturn).toBeCloseTo(2, 12);
    // (10 300 − 9 900) / 10 300; the 9 950 before any peak counts against the balance (0.5 %), and is smaller.
    expect(stats.maxDrawdown).toBeCloseTo((400 / 10_300) * 100, 12);
    expect(stats.cagr).toBeCloseTo((1.02 ** (365 / 3) - 1) * 100, 6);
    expect(stats.sharpe).toBeCloseTo(ref.sharpe, 12);
    expect(stats.sortino).toBeCloseTo(ref.sortino, 12);
    expect(stats.calmar).toBeCloseTo(stats.cagr! / stats.maxDrawdown, 12);
    expect(stats.exposure).toBeCloseTo(100 / 3, 12);
    expect(stats.feesPaid).toBe(12.5);
    expect(stats.days).toBe(3);
  });

  it('a drawdown before any gain is measured against the balance', () => {
    const acc = new PortfolioStatsAccumulator(1000);
    acc.add(D0, 900);
    acc.add(D0 + 1, 950);
    expect(acc.result({ spanStart: D0, spanEnd: D0 + H, exposureMs: 0, feesPaid: 0 }).maxDrawdown).toBeCloseTo(10, 12);
  });

  it('null where undefined: one day (no sharpe, sortino), no losses (no sortino), no drawdown (no calmar), no span', () => {
    const one = new PortfolioStatsAccumulator(1000);
    one.add(D0 + H, 1010);
    const s1 = one.result({ spanStart: D0, spanEnd: D0 + DAY_MS, exposureMs: 0, feesPaid: 0 });
    expect(s1).toMatchObject({ sharpe: null, sortino: null, calmar: null, maxDrawdown: 0, days: 1, exposure: 0 });
    expect(s1.cagr).toBeCloseTo((1.01 ** 365 - 1) * 100, 6);

    const up = new PortfolioStatsAccumulator(1000);
    up.add(D0, 1010);
    up.add(D0 + DAY_MS, 1030);
    const s2 = up.result({ spanStart: D0, spanEnd: D0 + 2 * DAY_MS, exposureMs: 0, feesPaid: 0 });
    expect(s2.sharpe).not.toBeNull();
    expect(s2.sortino).toBeNull();

    const flat = new PortfolioStatsAccumulator(1000);
    flat.add(D0, 1000);
    flat.add(D0 + DAY_MS, 1000);
    const s3 = flat.result({ spanStart: null, spanEnd: null, exposureMs: 0, feesPaid: 0 });
    expect(s3).toMatchObject({ sharpe: null, sortino: null, cagr: null, calmar: null, exposure: null, totalReturn: 0 });

    const none = new PortfolioStatsAccumulator(1000).result({ spanStart: null, spanEnd: null, exposureMs: 0, feesPaid: 0 });
    expect(none).toMatchObject({ finalEquity: 1000, totalReturn: 0, maxDrawdown: 0, days: 0, sharpe: null });
  });

  it('result() leaves the accumulator usable: later points of the same day replace its last point', () => {
    const acc = new PortfolioStatsAccumulator(1000);
    acc.add(D0, 1100);
    acc.add(D0 + DAY_MS, 1000);
    const totals = { spanStart: D0, spanEnd: D0 + 2 * DAY_MS, exposureMs: 0, feesPaid: 0 };
    const before = acc.result(totals);
    expect(acc.result(totals)).toEqual(before);
    acc.add(D0 + DAY_MS + H, 1200);
    const ref = reference([1100, 1200], 1000);
    expect(acc.result(totals).sharpe).toBeCloseTo(ref.sharpe, 12);
  });
});
