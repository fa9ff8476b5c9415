import { describe, expect, it } from 'vitest';
import { closedEvent, type SignalEvent } from '../../src/core/events.js';
import type { Signal } from '../../src/core/signal.js';
import { computeStatistics, type BacktestStatistics } from '../../src/core/stats.js';
import { isBetter, metricValue, rankStrategies, TradeMetricSchema, type TradeMetric } from '../../src/core/walker-rank.js';

const M = 60_000;
let seq = 0;
function trade(pnl: number, durationMinutes = 60): SignalEvent {
  const signal: Signal = {
    id: `t${seq++}`,
    position: 'long',
    priceOpen: 100,
    priceTakeProfit: 110,
    priceStopLoss: 90,
    minuteEstimatedTime: 600,
    scheduledAt: 0,
    pendingAt: 0,
    note: null,
  };
  const pnlRecord = { pnlPercentage: pnl, priceOpen: 100, priceClose: 100, priceOpenAdjusted: 100, priceCloseAdjusted: 100 };
  return closedEvent({ symbol: 'X', strategy: 's' }, signal, durationMinutes * M, pnl > 0 ? 'take_profit' : 'stop_loss', pnlRecord);
}
const stats = (...pnls: number[]): BacktestStatistics => computeStatistics(pnls.map((p) => trade(p)));
const entry = (strategy: string, statistics: BacktestStatistics) => ({ strategy, statistics });

describe('rankStrategies (SEMANTICS §9)', () => {
  // a: steady small wins and one loss; b: larger swings; c: no trades at all.
  const a = stats(1, 1, 1, -1);
  const b = stats(4, -3, 5, -2);
  const none = stats();

  it('ranks by sharpeRatio by default, best first, with each strategy statistics', () => {
    const r = rankStrategies([entry('b', b), entry('a', a)]);
    expect(r.metric).toBe('sharpeRatio');
    expect(a.sharpeRatio!).toBeGreaterThan(b.sharpeRatio!);
    expect(r.bestStrategy).toBe('a');
    expect(r.bestValue).toBe(a.sharpeRatio);
    expect(r.strategies.map((s) => [s.rank, s.strategy, s.value])).toEqual([
      [1, 'a', a.sharpeRatio],
      [2, 'b', b.sharpeRatio],
    ]);
    expect(r.strategies[1]!.statistics).toBe(b);
  });

  it('ranks by the chosen metric; maxDrawdown is minimised', () => {
    expect(rankStrategies([entry('a', a), entry('b', b)], 'totalPnl').bestStrategy).toBe('b'); // 4 > 2
    expect(b.maxDrawdown).toBe(3);
    expect(a.maxDrawdown).toBe(1);
    expect(rankStrategies([entry('b', b), entry('a', a)], 'maxDrawdown').strategies.map((s) => s.strategy)).toEqual(['a', 'b']);
  });

  it('every metric of SEMANTICS reads the statistic of the same name', () => {
    for (const metric of TradeMetricSchema.options) {
      expect(metricValue(b, metric)).toBe(b[metric]);
    }
    expect(TradeMetricSchema.options).toEqual([
      'sharpeRatio',
      'annualizedSharpeRatio',
      'winRate',
      'totalPnl',
      'certaintyRatio',
      'avgPnl',
      'expectedYearlyReturns',
      'profitFactor',
      'maxDrawdown',
    ]);
  });

  it('a null metric never wins, for maximised and minimised metrics alike; nulls keep their order at the end', () => {
    // No losses: profitFactor null. No trades: every metric null, totalPnl and maxDrawdown included.
    const noLoss = stats(2, 3);
    expect(noLoss.profitFactor).toBeNull();
    const r = rankStrategies([entry('none', none), entry('noLoss', noLoss), entry('b', b)], 'profitFactor');
    expect(r.strategies.map((s) => [s.strategy, s.value])).toEqual([
      ['b', b.profitFactor],
      ['none', null],
      ['noLoss', null],
    ]);
    expect(rankStrategies([entry('none', none), entry('b', b)], 'maxDrawdown').bestStrategy).toBe('b');
    // Doing nothing has no totalPnl (not 0), so it does not beat a losing strategy.
    const losing = stats(-1, -2);
    expect(rankStrategies([entry('none', none), entry('losing', losing)], 'totalPnl').bestStrategy).toBe('losing');
  });

  it('no strategy with a value: no best', () => {
    const r = rankStrategies([entry('x', none), entry('y', none)]);
    expect(r.bestStrategy).toBeNull();
    expect(r.bestValue).toBeNull();
    expect(r.strategies.map((s) => [s.rank, s.strategy])).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  it('ties keep the earlier strategy', () => {
    const same = stats(1, 1, 1, -1);
    for (const metric of ['sharpeRatio', 'maxDrawdown', 'winRate'] as TradeMetric[]) {
      expect(rankStrategies([entry('first', a), entry('second', same)], metric).bestStrategy).toBe('first');
      expect(rankStrategies([entry('second', same), entry('first', a)], metric).bestStrategy).toBe('second');
    }
    expect(rankStrategies([entry('b', b), entry('first', a), entry('second', same)]).strategies.map((s) => s.strategy)).toEqual([
      'first',
      'second',
      'b',
    ]);
  });

  it('isBetter: strict, nulls lose', () => {
    expect(isBetter(1, 1, 'sharpeRatio')).toBe(false);
    expect(isBetter(2, 1, 'sharpeRatio')).toBe(true);
    expect(isBetter(1, 2, 'maxDrawdown')).toBe(true);
    expect(isBetter(null, 1, 'sharpeRatio')).toBe(false);
    expect(isBetter(-5, null, 'sharpeRatio')).toBe(true);
    expect(isBetter(null, null, 'sharpeRatio')).toBe(false);
  });
});
