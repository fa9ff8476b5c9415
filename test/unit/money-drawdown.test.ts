import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import { accountOver } from '../../src/core/equity.js';
import { interleaveByInstant } from '../../src/core/interleave.js';
import { resolveMoneyConfig } from '../../src/core/money-config.js';
import { defineRisk } from '../../src/core/risk.js';
import { computeStatistics } from '../../src/core/stats.js';
import type { Strategy } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { collect } from '../support/collect.js';
import smaCross from '../../examples/sma-cross.mjs';

describe('the portfolio example: drawdown of equity against the sum of per-trade percentages', () => {
  it('the example run whose per-trade drawdown exceeds 100 % points draws the account (10 % stakes) down by under 10 %', async () => {
    // examples/portfolio.mjs: sma-cross on four generated symbols for 30 days, at most two longs.
    const source = () => syntheticCandles({ symbols: 4, start: '2024-01-01', count: 30 * 1440, seed: 11 });
    const risk = defineRisk({
      name: 'two-longs',
      maxConcurrentPositions: 2,
      validations: [{ validate: ({ position }) => position === 'long', note: 'longs only' }],
    });
    const config = resolveConfig();
    const events = await collect(backtest({ source: source(), strategies: [smaCross as Strategy], risk, config }));
    const perTrade = computeStatistics(events);
    // Sums of per-trade percentages: past −100 %, as if the account had been wiped out more than once.
    expect(perTrade.totalPnl).toBeLessThan(-100);
    expect(perTrade.maxDrawdown!).toBeGreaterThan(100);
    const candles = (await collect(source())) as SymbolCandle[];
    const stats = accountOver(interleaveByInstant(candles, events), { money: resolveMoneyConfig(), config });
    // The account, with the default 10 000 balance and 10 % stakes, lost under 10 % (same events, so pinned).
    expect(stats.maxDrawdown).toBeLessThan(10);
    expect(stats.maxDrawdown).toBeCloseTo(9.922975, 5);
    expect(stats.finalEquity).toBeCloseTo(9039.412485, 5);
    expect(stats.totalReturn).toBeCloseTo(-9.605875, 5);
    expect(stats.feesPaid).toBeCloseTo(506.086245, 5);
    expect(stats.exposure).toBeCloseTo(54.384259, 5);
    expect(stats.days).toBe(31);
  }, 120_000);
});
