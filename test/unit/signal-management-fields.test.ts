import { describe, expect, it } from 'vitest';
import { resolveConfig, ConfigError, type ConfigInput } from '../../src/core/config.js';
import { liquidationPrice } from '../../src/core/liquidation.js';
import { openedSignal, proposeSignal, type Proposal } from '../../src/core/signal.js';

const NOW = 600_000;

function propose(dto: unknown, price = 100, config: ConfigInput = {}) {
  return proposeSignal(dto, { strategy: 's', symbol: 'BTC', now: NOW, price, config: resolveConfig(config) });
}

function accepted(dto: unknown, price = 100, config: ConfigInput = {}): Proposal {
  const result = propose(dto, price, config);
  if ('problems' in result) throw new Error(`expected a proposal, got: ${result.problems.join('; ')}`);
  return result;
}

function problems(dto: unknown, price = 100, config: ConfigInput = {}): string[] {
  const result = propose(dto, price, config);
  if (!('problems' in result)) throw new Error(`expected problems, got a ${result.entry} proposal`);
  return result.problems;
}

const long = { position: 'long', priceTakeProfit: 110, priceStopLoss: 95, minuteEstimatedTime: 60 } as const;

describe('signal fields of position management (SEMANTICS §13)', () => {
  it('a signal without them has exactly the fields it always had (no undefined keys)', () => {
    expect(Object.keys(accepted(long).signal)).toEqual(['id', 'position', 'priceOpen', 'priceTakeProfit', 'priceStopLoss', 'minuteEstimatedTime', 'scheduledAt', 'pendingAt', 'note']);
  });

  it('trailingStop: activation defaults to 0; breakeven true or a trigger; leverage carries its liquidation price', () => {
    const { signal } = accepted({ ...long, trailingStop: { distancePercent: 3 }, breakeven: { triggerPercent: 1 }, leverage: 10 });
    expect(signal.trailingStop).toEqual({ distancePercent: 3, activationPercent: 0 });
    expect(signal.breakeven).toEqual({ triggerPercent: 1 });
    expect(signal.leverage).toBe(10);
    expect(signal.liquidationPrice).toBeCloseTo(90.881582, 6);
    expect(accepted({ ...long, breakeven: true }).signal.breakeven).toBe(true);
    // Leverage 1 is no leverage: no liquidation price.
    expect('liquidationPrice' in accepted({ ...long, leverage: 1 }).signal).toBe(false);
  });

  it('a limit entry is liquidated relative to its priceOpen, and opening keeps every management field', () => {
    const proposal = accepted({ ...long, priceOpen: 99, priceStopLoss: 94, leverage: 5, trailingStop: { distancePercent: 2, activationPercent: 1 } }, 100);
    expect(proposal.entry).toBe('scheduled');
    expect(proposal.signal.liquidationPrice).toBe(liquidationPrice('long', 99, 5, resolveConfig()));
    const opened = openedSignal(proposal.signal, NOW + 60_000);
    expect(opened).toEqual({ ...proposal.signal, pendingAt: NOW + 60_000 });
  });

  it.each([
    [{ trailingStop: { distancePercent: 0 } }, 'trailingStop.distancePercent: expected a distance above 0 %'],
    [{ trailingStop: { distancePercent: 100 } }, 'trailingStop.distancePercent: expected a distance below 100 %'],
    [{ trailingStop: { distancePercent: 2, activationPercent: -1 } }, 'trailingStop.activationPercent: expected an activation of at least 0 %'],
    [{ trailingStop: { distancePercent: 2, activationPercent: 100 } }, 'trailingStop.activationPercent: expected an activation below 100 %'],
    [{ breakeven: { triggerPercent: 0 } }, 'breakeven.triggerPercent: expected a trigger above 0 %'],
    [{ leverage: 2.5 }, 'leverage: expected an integer leverage'],
    [{ leverage: 0 }, 'leverage: expected a leverage of at least 1'],
    [{ leverage: 126 }, 'leverage: expected a leverage of at most 125'],
  ])('rejects %j', (fields, expected) => {
    expect(problems({ ...long, ...fields }).join('\n')).toContain(expected);
  });

  it('breakeven false and unknown keys are rejected; the other rules are still judged alongside', () => {
    expect(problems({ ...long, breakeven: false }).join('\n')).toMatch(/^breakeven: /m);
    expect(problems({ ...long, trailingStop: { distancePercent: 2, step: 1 } }).join('\n')).toMatch(/unknown key\(s\) 'step'/);
    const both = problems({ ...long, priceStopLoss: 101, leverage: 200 });
    expect(both.some((p) => p.startsWith('leverage:'))).toBe(true);
    expect(both.some((p) => p.includes('priceStopLoss 101 must be below'))).toBe(true);
  });

  it('a leverage whose liquidation price is not on the loss side is rejected, naming the numbers', () => {
    const p = problems({ ...long, leverage: 125 }, 100, { maintenanceMarginPercent: 1 });
    expect(p.join('\n')).toMatch(/^leverage 125 with maintenanceMarginPercent 1% liquidates at [\d.]+, not on the loss side of the entry 100$/m);
  });

  it('config maintenanceMarginPercent: default 0.5, at least 0, below 100', () => {
    expect(resolveConfig().maintenanceMarginPercent).toBe(0.5);
    expect(() => resolveConfig({ maintenanceMarginPercent: -1 })).toThrow(ConfigError);
    expect(() => resolveConfig({ maintenanceMarginPercent: 100 })).toThrow(/maintenanceMarginPercent/);
  });
});
