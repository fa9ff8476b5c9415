import { describe, expect, it } from 'vitest';
import { breakevenDistancePercent, breakevenPrice, breakevenTriggerPercent } from '../../src/core/breakeven.js';
import { resolveConfig } from '../../src/core/config.js';
import { advanceLevels, effectiveStop, stepManagedAt, stopCause } from '../../src/core/effective-stop.js';
import { liquidationPrice } from '../../src/core/liquidation.js';
import { managedPosition, type ManagedPosition } from '../../src/core/managed-position.js';
import { computePnl } from '../../src/core/pnl.js';
import type { Signal } from '../../src/core/signal.js';
import { tradeClose, partPnl } from '../../src/core/trade-close.js';
import { partFraction, tradePnl } from '../../src/core/trade-parts.js';
import { candle, minutes } from '../../src/testing.js';

// SEMANTICS "Reference values", Managing positions (defaults: fee 0.1 %, slippage 0.1 %; long at priceOpen 100).
const config = resolveConfig();

function signal(overrides: Partial<Signal> = {}): Signal {
  return {
    id: 'ref',
    position: 'long',
    priceOpen: 100,
    priceTakeProfit: 120,
    priceStopLoss: 95,
    minuteEstimatedTime: 1000,
    scheduledAt: 0,
    pendingAt: 0,
    note: null,
    ...overrides,
  };
}

/** Runs candles (minute i, high, low) through the lane's rules: check, then raise the levels. */
function run(s: Signal, bars: readonly [number, number][]) {
  let m: ManagedPosition | null = null;
  for (let i = 0; i < bars.length; i++) {
    const [high, low] = bars[i]!;
    const c = candle(i, Math.min(Math.max(100, low), high), high, low, Math.min(Math.max(100, low), high));
    const outcome = stepManagedAt(s, m, { candle: c, now: minutes(i + 1), price: c.close }, config);
    if (outcome !== null) return { outcome, m, pnl: tradeClose(s, m, outcome.price, minutes(i + 1), config).pnl.pnlPercentage };
    m = advanceLevels(s, m, c, config);
  }
  return { outcome: null, m, pnl: null };
}

describe('managing positions: reference values', () => {
  it('trailing 3 %, long: highs 104 and 108, then a low of 104.7 closes trailing_stop at 104.76, +4.350689 %', () => {
    const s = signal({ trailingStop: { distancePercent: 3, activationPercent: 0 } });
    const r = run(s, [[104, 100], [108, 104.8], [108, 104.7]]);
    expect(r.outcome?.reason).toBe('trailing_stop');
    expect(r.outcome?.price).toBeCloseTo(104.76, 9);
    expect(r.pnl).toBeCloseTo(4.350689, 6);
  });

  it('trailing 3 %, short: lows 97 and 93, then a high of 96 closes at 95.79, +3.818228 %', () => {
    const s = signal({ position: 'short', priceTakeProfit: 80, priceStopLoss: 105, trailingStop: { distancePercent: 3, activationPercent: 0 } });
    const r = run(s, [[100, 97], [95.7, 93], [96, 93.5]]);
    expect(r.outcome?.reason).toBe('trailing_stop');
    expect(r.outcome?.price).toBeCloseTo(95.79, 9);
    expect(r.pnl).toBeCloseTo(3.818228, 6);
  });

  it('breakeven: price 100.400601, distance 0.400601 %, default trigger 0.600601 %; short 99.600599', () => {
    expect(breakevenPrice('long', 100, config)).toBeCloseTo(100.400601, 6);
    expect(breakevenDistancePercent('long', 100, config)).toBeCloseTo(0.400601, 6);
    expect(breakevenTriggerPercent('long', 100, true, config)).toBeCloseTo(0.600601, 6);
    expect(breakevenPrice('short', 100, config)).toBeCloseTo(99.600599, 6);
    // The breakeven exit's §7 pnl is exactly 0.
    expect(computePnl('long', 100, breakevenPrice('long', 100, config), config).pnlPercentage).toBeCloseTo(0, 12);
    expect(computePnl('short', 100, breakevenPrice('short', 100, config), config).pnlPercentage).toBeCloseTo(0, 12);
  });

  it('breakeven: after a high of 100.600601, a later low of 100.3 closes trailing_stop at 100.400601 with pnl 0', () => {
    const s = signal({ breakeven: true });
    // Just below the trigger nothing moves; at it the level is set.
    expect(run(s, [[100.6006, 100]]).m?.breakeven).toBeNull();
    const r = run(s, [[100.600601, 100], [100.5, 100.3]]);
    expect(r.outcome?.reason).toBe('trailing_stop');
    expect(r.outcome?.price).toBeCloseTo(100.400601, 6);
    expect(r.pnl).toBeCloseTo(0, 9);
  });

  it('partial closes: 50 % at 110, the rest at 90 → +9.580220 %, −10.379820 %, trade −0.399800 %', () => {
    const s = signal();
    const first = partPnl(s, 110, config);
    expect(first).toBeCloseTo(9.58022, 6);
    const m = managedPosition(null, null, null, null, null, 0.5, [{ fraction: partFraction(1, 50), price: 110, now: 0, pnlPercentage: first }]);
    const close = tradeClose(s, m, 90, 1, config);
    expect(close.parts!.map((p) => p.fraction)).toEqual([0.5, 0.5]);
    expect(close.parts![1]!.pnlPercentage).toBeCloseTo(-10.37982, 6);
    expect(close.pnl.pnlPercentage).toBeCloseTo(-0.3998, 6);
    expect(close.pnl.priceClose).toBe(90);
  });

  it('partial closes: 30 % at 105, 50 % of the remaining at 110, the rest at 102 → 0.3, 0.35, 0.35, +5.288811 %', () => {
    const s = signal();
    const f1 = partFraction(1, 30);
    const f2 = partFraction(1 - f1, 50);
    const m = managedPosition(null, null, null, null, null, 1 - f1 - f2, [
      { fraction: f1, price: 105, now: 0, pnlPercentage: partPnl(s, 105, config) },
      { fraction: f2, price: 110, now: 0, pnlPercentage: partPnl(s, 110, config) },
    ]);
    const close = tradeClose(s, m, 102, 1, config);
    const fractions = close.parts!.map((p) => p.fraction);
    expect(fractions[0]).toBeCloseTo(0.3, 12);
    expect(fractions[1]).toBeCloseTo(0.35, 12);
    expect(fractions[2]).toBeCloseTo(0.35, 12);
    expect(close.pnl.pnlPercentage).toBeCloseTo(5.288811, 6);
    expect(tradePnl(close.parts!)).toBe(close.pnl.pnlPercentage);
  });

  it('leverage 10, maintenance margin 0.5 %: liquidation 90.881582 (−95 %), short 109.081618; 100 → 103 +25.942058 %', () => {
    const long = liquidationPrice('long', 100, 10, config);
    expect(long).toBeCloseTo(90.881582, 6);
    expect(liquidationPrice('short', 100, 10, config)).toBeCloseTo(109.081618, 6);
    const s = signal({ leverage: 10, liquidationPrice: long });
    expect(tradeClose(s, null, long, 1, config).pnl.pnlPercentage).toBeCloseTo(-95, 6);
    expect(tradeClose(s, null, 103, 1, config).pnl.pnlPercentage).toBeCloseTo(25.942058, 6);
  });
});

describe('the effective stop', () => {
  it('is the tightest component, ties kept by the earlier one', () => {
    const s = signal();
    expect(effectiveStop(s, null)).toBe(95);
    expect(stopCause(s, null)).toBe('original');
    const m = managedPosition(110, 99, 100.4, 98, null, 1, []);
    expect(effectiveStop(s, m)).toBe(100.4);
    expect(stopCause(s, m)).toBe('breakeven');
    expect(stopCause(s, managedPosition(110, 101, 100.4, 101, null, 1, []))).toBe('trailing');
    expect(stopCause(s, managedPosition(110, 95, null, null, null, 1, []))).toBe('original');
    const short = signal({ position: 'short', priceTakeProfit: 80, priceStopLoss: 105 });
    expect(effectiveStop(short, managedPosition(90, 92.7, 99.6, 104, null, 1, []))).toBe(92.7);
  });

  it('activation: the trail starts only once the peak passes priceOpen · (1 + activation/100)', () => {
    const s = signal({ trailingStop: { distancePercent: 2, activationPercent: 5 } });
    expect(run(s, [[104.9, 100]]).m?.trailing).toBeNull();
    expect(run(s, [[105, 100]]).m?.trailing).toBeCloseTo(102.9, 9);
    const short = signal({ position: 'short', priceTakeProfit: 80, priceStopLoss: 105, trailingStop: { distancePercent: 2, activationPercent: 5 } });
    expect(run(short, [[100, 95.1]]).m?.trailing).toBeNull();
    expect(run(short, [[100, 95]]).m?.trailing).toBeCloseTo(96.9, 9);
  });

  it('the nearer of the stop and the liquidation price acts; a stop beyond the liquidation price never does', () => {
    const liq = liquidationPrice('long', 100, 10, config);
    const s = signal({ leverage: 10, liquidationPrice: liq, priceStopLoss: 85 });
    const c = candle(0, 100, 100, 80, 82);
    expect(stepManagedAt(s, null, { candle: c, now: minutes(1), price: 82 }, config)).toEqual({ reason: 'liquidated', price: liq });
    const tight = signal({ leverage: 10, liquidationPrice: liq, priceStopLoss: 95 });
    expect(stepManagedAt(tight, null, { candle: c, now: minutes(1), price: 82 }, config)).toEqual({ reason: 'stop_loss', price: 95 });
  });
});
