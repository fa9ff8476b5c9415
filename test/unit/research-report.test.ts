import { describe, expect, it } from 'vitest';
import { closedEvent, type SignalEvent } from '../../src/core/events.js';
import type { Signal } from '../../src/core/signal.js';
import { cscv, deflatedSharpeRatio, OverfittingReportSchema, overfittingReport, periodReturns, probabilisticSharpeRatio } from '../../src/index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** The noise matrix of RESEARCH's reference values, as one closed event per trial per day (pnl in percent). */
function noiseEvents(): SignalEvent[] {
  const events: SignalEvent[] = [];
  for (let t = 0; t < 64; t++) {
    for (let n = 0; n < 5; n++) {
      const r = 0.001 * (((t * (n + 3) + n) % 11) - 5) + 0.0002 * n * Math.sin(t);
      const strategy = `noise[n=${n}]`;
      const openedAt = T0 + t * DAY + 60_000;
      const signal: Signal = { id: `${strategy}:${openedAt}`, position: 'long', priceOpen: 100, priceTakeProfit: 110, priceStopLoss: 90, minuteEstimatedTime: 60, scheduledAt: openedAt, pendingAt: openedAt, note: null };
      const pnl = { pnlPercentage: r * 100, priceOpen: 100, priceClose: 100, priceOpenAdjusted: 100, priceCloseAdjusted: 100 };
      events.push(closedEvent({ symbol: 'BTC/USDT', strategy }, signal, openedAt + 60 * 60_000, 'time_expired', pnl));
    }
  }
  return events;
}

describe('overfitting report: from closed events to RESEARCH reference values', () => {
  it('the noise study rebuilt from events: PBO 0.984460 (S = 16), best trial DSR 0.486878, trial 2 PSR 0.485065', () => {
    const events = noiseEvents();
    const returns = periodReturns(events, { from: T0, to: T0 + 64 * DAY });
    expect(returns.trials).toEqual(['noise[n=0]', 'noise[n=1]', 'noise[n=2]', 'noise[n=3]', 'noise[n=4]']);
    const trades = events
      .filter((e) => e.strategy === 'noise[n=4]' && e.action === 'closed')
      .map((e) => ({ position: 'long' as const, durationMinutes: 60, pnlPercentage: (e as Extract<SignalEvent, { action: 'closed' }>).pnl.pnlPercentage }));
    const report = overfittingReport({ returns, best: 4, trades, feePercent: 0.1, slippagePercent: 0.1, seed: '1', runs: 200 });
    expect(OverfittingReportSchema.parse(report)).toEqual(report);
    expect(report.trial).toBe('noise[n=4]');
    expect(report.pbo.pbo).toBeCloseTo(0.98446, 6);
    expect(report.pbo.meanLogit).toBeCloseTo(-1.449986, 6);
    expect(report.dsr.dsr).toBeCloseTo(0.486878, 6);
    expect(report.dsr.N).toBe(5);
    expect(report.dsr.V).toBeCloseTo(6.236e-5, 8);
    expect(report.monteCarlo).toMatchObject({ trades: 64, runs: 200, seed: '1' });
    expect(report.randomEntry).toBeNull();
    const trial2 = probabilisticSharpeRatio(returns.matrix.map((row) => row[2]!));
    expect(trial2.psr).toBeCloseTo(0.485065, 6);
  });

  it('random entry runs when the closes are given', () => {
    const returns = { periods: [T0, T0 + DAY, T0 + 2 * DAY], trials: ['a', 'b'], matrix: [[0.01, 0], [-0.02, 0.01], [0.03, -0.01]] };
    const closes = Array.from({ length: 50 }, (_, i) => 100 + (i % 7));
    const trades = [{ position: 'long' as const, durationMinutes: 3, pnlPercentage: 2 }];
    const report = overfittingReport({ returns, best: 0, trades, closes, feePercent: 0.1, slippagePercent: 0.1, runs: 50 });
    expect(report.randomEntry).toMatchObject({ runs: 50, trades: 1, candles: 50, reason: null });
    expect(report.monteCarlo.maxDrawdown).toBeNull();
    expect(report.pbo).toMatchObject({ pbo: null, reason: expect.stringContaining('fewer than S = 16') });
    expect(() => overfittingReport({ returns, best: 2, trades, feePercent: 0, slippagePercent: 0 })).toThrow(/best = 2, but the matrix has 2 trial columns/);
  });

  it('the three headline functions are exported from tickflow with their defaults', () => {
    const m = Array.from({ length: 64 }, (_, t) => Array.from({ length: 5 }, (_, n) => 0.001 * (((7 * t + 3 * n) % 11) - 5) + 0.0004 * n));
    expect(cscv(m).S).toBe(16);
    expect(cscv(m).pbo).toBeCloseTo(0.190598, 6);
    expect(probabilisticSharpeRatio([0.01, -0.02, 0.03]).benchmarkSharpe).toBe(0);
    expect(deflatedSharpeRatio([0.01, -0.02, 0.03], { trials: 10, sharpeVariance: 0.01 }).N).toBe(10);
  });
});
