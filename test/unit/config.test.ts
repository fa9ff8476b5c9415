import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, roundTripCostPercent } from '../../src/core/config.js';

describe('resolveConfig', () => {
  it('fills the defaults of SEMANTICS', () => {
    expect(resolveConfig()).toMatchObject({
      feePercent: 0.1,
      slippagePercent: 0.1,
      avgPriceCandles: 5,
      scheduleAwaitMinutes: 120,
      minTakeProfitDistancePercent: 0.3,
      minStopLossDistancePercent: 0.5,
      maxStopLossDistancePercent: 20,
      maxSignalLifetimeMinutes: 1440,
      signalTimeoutMs: 180_000,
      intrabar: 'stop-loss-first',
      partialLevels: [10, 20, 30, 40, 50, 60, 70, 80, 90],
      closeAtEnd: false,
      emitActive: false,
    });
    expect(roundTripCostPercent(resolveConfig())).toBeCloseTo(0.4, 12);
  });

  it('keeps what is given and defaults the rest', () => {
    const config = resolveConfig({ feePercent: 0.04, intrabar: 'take-profit-first', maxSignalLifetimeMinutes: 0 });
    expect(config).toMatchObject({ feePercent: 0.04, slippagePercent: 0.1, intrabar: 'take-profit-first', maxSignalLifetimeMinutes: 0 });
  });

  it('rejects unknown keys, naming each of them', () => {
    expect(() => resolveConfig({ feePercnt: 0.1, closeAtEnd: true, slipage: 1 } as never)).toThrow(ConfigError);
    expect(() => resolveConfig({ feePercnt: 0.1, slipage: 1 } as never)).toThrow(/unknown key\(s\) 'feePercnt', 'slipage'/);
    expect(() => resolveConfig({ feePercnt: 0.1 } as never, 'strategy.json')).toThrow(/^strategy\.json: /);
  });

  it('names the key of a bad value and lists every problem', () => {
    let message = '';
    try {
      resolveConfig({ feePercent: -1, intrabar: 'worst-case' as never, avgPriceCandles: 2.5 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/'feePercent'/);
    expect(message).toMatch(/'intrabar'/);
    expect(message).toMatch(/'avgPriceCandles'/);
  });

  it('partialLevels are sorted, de-duplicated, and strictly between 0 and 100', () => {
    expect(resolveConfig({ partialLevels: [50, 25, 75, 25] }).partialLevels).toEqual([25, 50, 75]);
    expect(() => resolveConfig({ partialLevels: [0, 50] })).toThrow(/partialLevels/);
    expect(() => resolveConfig({ partialLevels: [50, 100] })).toThrow(/partialLevels/);
  });

  it('rejects a zero or fractional timeout and schedule window', () => {
    expect(() => resolveConfig({ signalTimeoutMs: 0 })).toThrow(/signalTimeoutMs/);
    expect(() => resolveConfig({ scheduleAwaitMinutes: 1.5 })).toThrow(/scheduleAwaitMinutes/);
  });

  it('rejects a minimum stop-loss distance above the maximum: no stop-loss could pass', () => {
    expect(() => resolveConfig({ minStopLossDistancePercent: 30, maxStopLossDistancePercent: 20 }, 'config x.json')).toThrow(
      /^config x\.json: 'minStopLossDistancePercent': 30 is above maxStopLossDistancePercent 20: no stop-loss could pass$/,
    );
    expect(resolveConfig({ minStopLossDistancePercent: 20, maxStopLossDistancePercent: 20 }).minStopLossDistancePercent).toBe(20);
    // A maximum of 0 disables the maximum.
    expect(resolveConfig({ minStopLossDistancePercent: 30, maxStopLossDistancePercent: 0 }).minStopLossDistancePercent).toBe(30);
  });

  it('bounds the history and VWAP windows, which are allocated per symbol', () => {
    expect(() => resolveConfig({ historyCandles: 1e12 })).toThrow(/'historyCandles': Too big: expected number to be <=10000000/);
    expect(() => resolveConfig({ avgPriceCandles: 1e9 })).toThrow(/'avgPriceCandles': Too big/);
    expect(resolveConfig({ historyCandles: 10_000_000, avgPriceCandles: 10_000 })).toMatchObject({ historyCandles: 10_000_000 });
  });
});
