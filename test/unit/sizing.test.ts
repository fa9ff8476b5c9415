import { describe, expect, it } from 'vitest';
import {
  applySizingConstraints,
  atrSize,
  fixedPercentageSize,
  kellySize,
  positionSize,
  SizingError,
  type Sizing,
} from '../../src/core/sizing.js';

const account = { balance: 10_000, priceOpen: 50_000 };

describe('position sizing reference values (SEMANTICS §10: balance 10000, priceOpen 50000)', () => {
  it('fixed 2 % with SL 49000 → 0.2', () => {
    expect(fixedPercentageSize({ ...account, priceStopLoss: 49_000, riskPercent: 2 })).toBeCloseTo(0.2, 12);
  });
  it('Kelly W 0.55, R 1.5, ×0.25 → 0.0125', () => {
    expect(kellySize({ ...account, winRate: 0.55, winLossRatio: 1.5, kellyMultiplier: 0.25 })).toBeCloseTo(0.0125, 12);
    // 0.25 is the default multiplier.
    expect(kellySize({ ...account, winRate: 0.55, winLossRatio: 1.5 })).toBeCloseTo(0.0125, 12);
  });
  it('ATR 500, 2 %, ×2 → 0.2', () => {
    expect(atrSize({ ...account, atr: 500, riskPercent: 2, atrMultiplier: 2 })).toBeCloseTo(0.2, 12);
    expect(atrSize({ ...account, atr: 500, riskPercent: 2 })).toBeCloseTo(0.2, 12);
  });
  it('fixed 50 % with maxPositionPercent 10 → 0.02', () => {
    expect(fixedPercentageSize({ ...account, priceStopLoss: 49_000, riskPercent: 50, maxPositionPercent: 10 })).toBeCloseTo(0.02, 12);
  });
  it('fixed 50 % with maxPositionSize 0.01 → 0.01', () => {
    expect(fixedPercentageSize({ ...account, priceStopLoss: 49_000, riskPercent: 50, maxPositionSize: 0.01 })).toBe(0.01);
  });
});

describe('positionSize: the method, then the constraints in order', () => {
  it('dispatches on method like the flat functions', () => {
    expect(positionSize({ method: 'fixed-percentage', riskPercent: 2 }, { ...account, priceStopLoss: 49_000 })).toBeCloseTo(0.2, 12);
    expect(positionSize({ method: 'kelly', winRate: 0.55, winLossRatio: 1.5 }, account)).toBeCloseTo(0.0125, 12);
    expect(positionSize({ method: 'atr', atr: 500, riskPercent: 2 }, account)).toBeCloseTo(0.2, 12);
  });

  it('fixed-percentage uses the stop distance whichever side the stop is (shorts)', () => {
    expect(fixedPercentageSize({ ...account, priceStopLoss: 51_000, riskPercent: 2 })).toBeCloseTo(0.2, 12);
  });

  it('Kelly without an edge sizes 0, never a negative quantity', () => {
    // W 0.4, R 1: k = (0.4 − 0.6) / 1 < 0.
    expect(kellySize({ ...account, winRate: 0.4, winLossRatio: 1 })).toBe(0);
  });

  it('minPositionSize raises after maxPositionPercent caps; maxPositionSize caps last and wins over the floor', () => {
    const c = { balance: 10_000, priceOpen: 50_000 };
    expect(applySizingConstraints(0.001, { minPositionSize: 0.005 }, c)).toBe(0.005);
    // 5 → capped to 0.02 by 10 % → raised to 0.05 by the floor → capped to 0.03.
    expect(applySizingConstraints(5, { maxPositionPercent: 10, minPositionSize: 0.05, maxPositionSize: 0.03 }, c)).toBe(0.03);
    expect(applySizingConstraints(5, { maxPositionPercent: 10, minPositionSize: 0.05 }, c)).toBe(0.05);
    expect(applySizingConstraints(0.3, {}, c)).toBe(0.3);
  });

  it('the floor also applies to a Kelly 0 (documented: leave minPositionSize out for "no edge, no trade")', () => {
    expect(kellySize({ ...account, winRate: 0.4, winLossRatio: 1, minPositionSize: 0.001 })).toBe(0.001);
  });
});

describe('invalid inputs are SizingErrors naming the input, what was expected and what was given', () => {
  const fails = (f: () => number, pattern: RegExp) => {
    let error: unknown;
    try {
      f();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SizingError);
    expect((error as Error).message).toMatch(pattern);
  };

  it('winRate outside (0, 1)', () => {
    for (const winRate of [0, 1, 1.2, -0.1]) {
      fails(() => kellySize({ ...account, winRate, winLossRatio: 1.5 }), new RegExp(`^kelly sizing: winRate must be strictly between 0 and 1.*got ${winRate}$`));
    }
  });
  it('winLossRatio ≤ 0', () => fails(() => kellySize({ ...account, winRate: 0.5, winLossRatio: 0 }), /winLossRatio must be > 0.*got 0/));
  it('zero stop distance', () =>
    fails(() => fixedPercentageSize({ ...account, priceStopLoss: 50_000, riskPercent: 2 }), /priceStopLoss 50000 equals priceOpen 50000: a zero stop distance/));
  it('fixed-percentage without a stop-loss', () =>
    fails(() => positionSize({ method: 'fixed-percentage', riskPercent: 2 }, account), /priceStopLoss is required/));
  it('atr ≤ 0', () => {
    fails(() => atrSize({ ...account, atr: 0, riskPercent: 2 }), /^atr sizing: atr must be > 0.*got 0$/);
    fails(() => atrSize({ ...account, atr: -3, riskPercent: 2 }), /atr must be > 0.*got -3/);
  });
  it('balance and prices must be positive and finite', () => {
    fails(() => atrSize({ balance: 0, priceOpen: 1, atr: 1, riskPercent: 2 }), /balance must be > 0, got 0/);
    fails(() => atrSize({ balance: 1, priceOpen: Number.NaN, atr: 1, riskPercent: 2 }), /priceOpen .*got NaN/);
    fails(() => kellySize({ balance: Infinity, priceOpen: 1, winRate: 0.5, winLossRatio: 1 }), /balance .*got Infinity/);
  });
  it('riskPercent outside (0, 100]', () => {
    fails(() => atrSize({ ...account, atr: 1, riskPercent: 0 }), /riskPercent must be > 0/);
    fails(() => atrSize({ ...account, atr: 1, riskPercent: 150 }), /riskPercent must be ≤ 100.*got 150/);
  });
  it('minPositionSize above maxPositionSize', () =>
    fails(() => atrSize({ ...account, atr: 1, riskPercent: 1, minPositionSize: 2, maxPositionSize: 1 }), /minPositionSize 2 is above maxPositionSize 1/));
  it('an unknown method or an unknown input (a typo never falls back to a default)', () => {
    fails(() => positionSize({ method: 'martingale' } as unknown as Sizing, account), /^sizing: method .*'fixed-percentage' \| 'kelly' \| 'atr'.*got "martingale"/);
    fails(() => positionSize({ method: 'kelly', winRate: 0.5, winLossRatio: 1, kellyMultiplyer: 0.5 } as unknown as Sizing, account), /unknown input\(s\) 'kellyMultiplyer'/);
  });
  it('every problem is listed in one error', () =>
    fails(() => kellySize({ ...account, winRate: 2, winLossRatio: -1 }), /winRate .*; winLossRatio /));
});
