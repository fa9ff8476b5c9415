import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../src/core/strategy.js';
import { sma } from '../../src/index.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { candle } from '../../src/testing.js';

describe('manage(ctx) and indicators', () => {
  it('reads the same ctx.indicators a getSignal at that instant reads', async () => {
    const closes = [100, 101, 102, 103, 104, 105, 104, 103, 102, 101, 100, 99];
    const candles = closes.map((c, m) => candle(m, c));
    const asked = new Map<number, unknown>();
    const managed = new Map<number, unknown>();
    const strategy: Strategy = {
      name: 'with-manage',
      interval: '1m',
      indicators: () => ({ fast: sma(3) }),
      getSignal: (ctx) => {
        asked.set(ctx.now, ctx.indicators.fast);
        return ctx.indicators.fast !== null && asked.size === 3 ? { position: 'long', priceTakeProfit: 150, priceStopLoss: 90, minuteEstimatedTime: 60 } : null;
      },
      manage: (ctx) => {
        managed.set(ctx.now, ctx.indicators.fast);
        return null;
      },
    };
    const events = await collect(backtest({ source: replayCandles({ TEST: candles }), strategies: [strategy], config: { feePercent: 0, slippagePercent: 0 } }));
    expect(events.filter((e) => e.action === 'error')).toEqual([]);
    expect(managed.size).toBeGreaterThan(5);
    // The window of the three closes before each instant, as a getSignal would have read it.
    for (const [now, value] of managed) {
      const m = now / 60_000;
      expect(value).toBeCloseTo((closes[m - 1]! + closes[m - 2]! + closes[m - 3]!) / 3, 9);
    }
  });
});
