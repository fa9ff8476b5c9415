import { describe, expect, it } from 'vitest';
import { computePnl } from '../../src/core/pnl.js';
import { computeStatistics } from '../../src/core/stats.js';
import { resolveConfig } from '../../src/core/config.js';
import { closedEvent } from '../../src/core/events.js';
import { vwap } from '../../src/core/vwap.js';
import { CandleHistory } from '../../src/core/history.js';
import type { Signal } from '../../src/core/signal.js';
import type { CloseReason } from '../../src/core/events.js';

// SEMANTICS "Reference values" (defaults: fee 0.1 %, slippage 0.1 %). Sizing values belong to a later issue.
const config = resolveConfig();

/** Digits after the decimal point the reference value is stated with. */
function decimals(text: string): number {
  return text.split('.')[1]?.length ?? 0;
}

/**
 * `actual` agrees with the reference to its stated precision: within one unit of its last stated digit. (Not
 * "rounds to": the table's totalPnl −1.199400 is the sum of the rounded per-trade values; the exact sum is
 * −1.19940060, which rounds to −1.199401.)
 */
function expectReference(actual: number, reference: string): void {
  const expected = Number(reference.replace('−', '-').replace('+', ''));
  const tolerance = 10 ** -decimals(reference);
  expect(Math.abs(actual - expected), `${actual} vs ${reference}`).toBeLessThan(tolerance);
}

describe('PnL reference table (SEMANTICS §7)', () => {
  const table: Array<[position: 'long' | 'short', open: number, close: number, pnl: string]> = [
    ['long', 42000, 43000, '+1.976395'],
    ['long', 42000, 41000, '−2.775995'],
    ['short', 42000, 41000, '+1.985519'],
    ['short', 42000, 43000, '−2.785919'],
    ['long', 42000, 42000, '−0.399800'],
    ['short', 42000, 42000, '−0.400200'],
    ['long', 95000, 96000, '+0.6507'],
    ['long', 94500, 95500, '+0.6563'],
    ['short', 95000, 96000, '−1.4549'],
    ['long', 42000, 39900, '−5.3898'],
    ['long', 42000, 90000, '+113.6576'],
  ];
  it.each(table)('%s %d → %d = %s %%', (position, open, close, pnl) => {
    const result = computePnl(position, open, close, config);
    expectReference(result.pnlPercentage, pnl);
    expect(result.priceOpen).toBe(open);
    expect(result.priceClose).toBe(close);
  });

  it('reports the slippage-adjusted prices beside the raw ones', () => {
    const long = computePnl('long', 42000, 43000, config);
    expect(long.priceOpenAdjusted).toBeCloseTo(42042, 9);
    expect(long.priceCloseAdjusted).toBeCloseTo(42957, 9);
    const short = computePnl('short', 42000, 41000, config);
    expect(short.priceOpenAdjusted).toBeCloseTo(41958, 9);
    expect(short.priceCloseAdjusted).toBeCloseTo(41041, 9);
  });
});

describe('statistics of the three reference trades (SEMANTICS §9)', () => {
  const lane = { symbol: 'BTCUSDT', strategy: 'ref' };
  const trade = (i: number, close: number, reason: CloseReason, durationMin: number) => {
    const pendingAt = i * 3_600_000;
    const signal: Signal = {
      id: `t${i}`,
      position: 'long',
      priceOpen: 42000,
      priceTakeProfit: 43000,
      priceStopLoss: 41000,
      minuteEstimatedTime: 9,
      scheduledAt: pendingAt,
      pendingAt,
      note: null,
    };
    const now = pendingAt + durationMin * 60_000;
    return closedEvent(lane, signal, now, reason, computePnl('long', 42000, close, config));
  };
  const stats = computeStatistics([
    trade(0, 42000, 'time_expired', 9),
    trade(1, 43000, 'take_profit', 0),
    trade(2, 41000, 'stop_loss', 9),
  ]);

  it('matches every reference number', () => {
    expect(stats.totalSignals).toBe(3);
    expect(stats.winCount).toBe(1);
    expect(stats.lossCount).toBe(2);
    expectReference(stats.winRate!, '33.333');
    expectReference(stats.avgPnl!, '−0.399800');
    expectReference(stats.totalPnl, '−1.199400');
    expectReference(stats.stdDev!, '1.940155');
    expectReference(stats.sharpeRatio!, '−0.206066');
    expectReference(stats.annualizedSharpeRatio!, '−3.936887');
    expectReference(stats.certaintyRatio!, '1.244661');
    expectReference(stats.profitFactor!, '0.622331');
    expectReference(stats.expectancy!, '−0.399800');
    expectReference(stats.maxDrawdown!, '2.775995');
  });

  it('measures the drawdown from the +1.576595 peak, not from zero', () => {
    // cumulative pnl −0.3998 → +1.576595 → −1.199400: the trough is only 1.1994 below zero.
    expect(stats.maxDrawdown!).toBeGreaterThan(Math.abs(stats.totalPnl) + 1);
  });
});

describe('VWAP reference (SEMANTICS §2)', () => {
  const candles = [0, 1, 2, 3, 4].map((i) => ({
    timestamp: i * 60_000,
    open: 42150.5 + 100 * i,
    high: 42380.2 + 100 * i,
    low: 42100 + 100 * i,
    close: 42250.8 + 100 * i,
    volume: 100 + 10 * i,
  }));

  it('vwap() of the five candles is 42460.333333', () => {
    expectReference(vwap(candles)!, '42460.333333');
  });

  it('CandleHistory.averagePrice (the engine hot path) gives the same number', () => {
    const history = new CandleHistory(60_000, 100);
    for (const c of candles) history.push(c);
    expectReference(history.averagePrice(5)!, '42460.333333');
  });
});
