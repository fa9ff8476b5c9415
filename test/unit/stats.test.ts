import { describe, expect, it } from 'vitest';
import { computeStatistics, safe, StatisticsAccumulator } from '../../src/core/stats.js';
import { cancelledEvent, closedEvent, signalEvent, type SignalEvent } from '../../src/core/events.js';
import type { Signal } from '../../src/core/signal.js';

const M = 60_000;
const lane = { symbol: 'BTC', strategy: 's' };
let seq = 0;
function signal(pendingAt: number | null = 0): Signal {
  return {
    id: `sig${seq++}`,
    position: 'long',
    priceOpen: 100,
    priceTakeProfit: 110,
    priceStopLoss: 90,
    minuteEstimatedTime: 60,
    scheduledAt: 0,
    pendingAt,
    note: null,
  };
}
/** A closed trade with the given pnl % and duration. */
function trade(pnl: number, durationMinutes = 60): SignalEvent {
  const s = signal(0);
  return closedEvent(lane, s, durationMinutes * M, pnl > 0 ? 'take_profit' : 'stop_loss', {
    pnlPercentage: pnl,
    priceOpen: 100,
    priceClose: 100,
    priceOpenAdjusted: 100,
    priceCloseAdjusted: 100,
  });
}
const stats = (...pnls: number[]) => computeStatistics(pnls.map((p) => trade(p)));

describe('statistics (SEMANTICS §9)', () => {
  it('n = 0: every ratio is null', () => {
    expect(computeStatistics([])).toEqual({
      totalSignals: 0,
      winCount: 0,
      lossCount: 0,
      winRate: null,
      avgPnl: null,
      totalPnl: 0,
      stdDev: null,
      sharpeRatio: null,
      annualizedSharpeRatio: null,
      certaintyRatio: null,
      expectedYearlyReturns: null,
      maxDrawdown: null,
      profitFactor: null,
      expectancy: null,
      avgWin: null,
      avgLoss: null,
      maxWinStreak: 0,
      maxLossStreak: 0,
      avgDurationMinutes: null,
      openSignals: 0,
      pendingSignals: 0,
    });
  });

  it('without losses: profitFactor is null (not Infinity), certaintyRatio 0, avgLoss null', () => {
    const s = stats(1, 3);
    expect(s.profitFactor).toBeNull();
    expect(s.certaintyRatio).toBe(0);
    expect(s.avgLoss).toBeNull();
    expect(s.avgWin).toBe(2);
    expect(s.winRate).toBe(100);
    expect(s.expectancy).toBe(2);
    expect(s.maxDrawdown).toBe(0);
  });

  it('pnl 0 is neither a win nor a loss', () => {
    const s = stats(0, 0, 2);
    expect(s.winCount).toBe(1);
    expect(s.lossCount).toBe(0);
    expect(s.winRate).toBeCloseTo(100 / 3, 12);
    const flat = stats(0, 0);
    expect(flat.profitFactor).toBeNull(); // 0 / 0
    expect(flat.winRate).toBe(0);
  });

  it('sharpe is avgPnl/stdDev per trade (population), 0 when stdDev is 0; annualised ×√365', () => {
    const s = stats(1, 3);
    expect(s.stdDev).toBe(1);
    expect(s.sharpeRatio).toBe(2);
    expect(s.annualizedSharpeRatio).toBeCloseTo(2 * Math.sqrt(365), 12);
    const same = stats(1.5, 1.5, 1.5);
    expect(same.stdDev).toBe(0);
    expect(same.sharpeRatio).toBe(0);
    expect(same.annualizedSharpeRatio).toBe(0);
  });

  it('win and loss streaks; a zero breaks both', () => {
    const s = stats(1, 1, -1, -1, -1, 1, 0, 1, 1, 1, 0, -1);
    expect(s.maxWinStreak).toBe(3);
    expect(s.maxLossStreak).toBe(3);
    expect(stats(1, 1, 0, 1, 1).maxWinStreak).toBe(2);
    expect(stats(-1, 0, -1).maxLossStreak).toBe(1);
  });

  it('maxDrawdown is a true peak-to-trough of cumulative pnl, not its minimum', () => {
    // cumulative 5 → 3 → 4 → 1 → 6: lowest point 1 (never below 0), deepest fall 5 → 1 = 4.
    expect(stats(5, -2, 1, -3, 5).maxDrawdown).toBe(4);
    // A later, shallower fall from a higher peak does not replace the deeper one.
    expect(stats(10, -6, 20, -2).maxDrawdown).toBe(6);
    // A later, deeper fall from a higher peak does.
    expect(stats(2, -1, 10, -8).maxDrawdown).toBe(8);
  });

  it('certaintyRatio, profitFactor and expectancy', () => {
    const s = stats(4, 2, -1, -3);
    expect(s.avgWin).toBe(3);
    expect(s.avgLoss).toBe(-2);
    expect(s.certaintyRatio).toBe(1.5);
    expect(s.profitFactor).toBe(1.5);
    expect(s.expectancy).toBe(0.5 * 3 + 0.5 * -2);
  });

  it('expectedYearlyReturns = avgPnl·365/avgDurationDays, 0 when the average duration is 0', () => {
    const s = computeStatistics([trade(1, 1440), trade(3, 2880)]);
    expect(s.avgDurationMinutes).toBe(2160);
    expect(s.expectedYearlyReturns).toBeCloseTo((2 * 365) / 1.5, 9);
    expect(computeStatistics([trade(1, 0), trade(2, 0)]).expectedYearlyReturns).toBe(0);
  });

  it('safe(): NaN and ±Infinity are null', () => {
    expect(safe(Number.NaN)).toBeNull();
    expect(safe(Number.POSITIVE_INFINITY)).toBeNull();
    expect(safe(Number.NEGATIVE_INFINITY)).toBeNull();
    expect(safe(-0.5)).toBe(-0.5);
  });
});

describe('open and pending signals are counted, never faked as closed', () => {
  it('tracks each signal through scheduled → opened → closed and scheduled → cancelled', () => {
    const acc = new StatisticsAccumulator();
    const limit = signal(null);
    const market = signal(5 * M);
    const other = signal(null);
    acc.add(signalEvent('scheduled', lane, limit, 0));
    acc.add(signalEvent('scheduled', { ...lane, symbol: 'ETH' }, other, 0));
    expect(acc.result()).toMatchObject({ openSignals: 0, pendingSignals: 2, totalSignals: 0 });
    acc.add(signalEvent('opened', lane, { ...limit, pendingAt: M }, M));
    acc.add(signalEvent('opened', lane, market, 5 * M));
    expect(acc.result()).toMatchObject({ openSignals: 2, pendingSignals: 1, totalSignals: 0 });
    acc.add(cancelledEvent({ ...lane, symbol: 'ETH' }, other, 6 * M, 'timeout'));
    expect(acc.result()).toMatchObject({ openSignals: 2, pendingSignals: 0, totalSignals: 0 });
    acc.add(closedEvent(lane, market, 9 * M, 'take_profit', {
      pnlPercentage: 1,
      priceOpen: 100,
      priceClose: 101.5,
      priceOpenAdjusted: 100.1,
      priceCloseAdjusted: 101.4,
    }));
    expect(acc.result()).toMatchObject({ openSignals: 1, pendingSignals: 0, totalSignals: 1, totalPnl: 1 });
  });

  it('the same signal id on two symbols is two signals', () => {
    const acc = new StatisticsAccumulator();
    const s = signal(0);
    acc.add(signalEvent('opened', lane, s, 0));
    acc.add(signalEvent('opened', { ...lane, symbol: 'ETH' }, s, 0));
    expect(acc.result().openSignals).toBe(2);
  });
});
