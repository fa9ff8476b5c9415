import { describe, expect, it } from 'vitest';
import { MoneyConfigError, resolveMoneyConfig } from '../../src/core/money-config.js';
import { stakeAmount } from '../../src/core/stake.js';

describe('money config (SEMANTICS §12)', () => {
  it('defaults: balance 10 000, stake { equityPercent: 10 }', () => {
    expect(resolveMoneyConfig()).toEqual({ balance: 10_000, stake: { equityPercent: 10 } });
  });

  it('accepts a fixed amount, an equity share and the §10 sizing methods (with their defaults)', () => {
    expect(resolveMoneyConfig({ balance: 1000, stake: 100 }).stake).toBe(100);
    expect(resolveMoneyConfig({ stake: { equityPercent: 25 } }).stake).toEqual({ equityPercent: 25 });
    expect(resolveMoneyConfig({ stake: { method: 'kelly', winRate: 0.55, winLossRatio: 1.5 } }).stake).toEqual({
      method: 'kelly',
      winRate: 0.55,
      winLossRatio: 1.5,
      kellyMultiplier: 0.25,
    });
  });

  it('rejects bad values, naming the key and what was expected', () => {
    expect(() => resolveMoneyConfig({ balance: 0 })).toThrow(MoneyConfigError);
    expect(() => resolveMoneyConfig({ balance: 0 })).toThrow("config: 'balance': must be > 0 (starting equity in the quote currency)");
    expect(() => resolveMoneyConfig({ stake: -5 }, 'run.json')).toThrow("run.json: 'stake': must be > 0 (an amount of the quote currency per position)");
    expect(() => resolveMoneyConfig({ stake: 'lots' } as never)).toThrow(
      "'stake': expected a positive number, { equityPercent } or a sizing method",
    );
    expect(() => resolveMoneyConfig({ stake: { equityPercent: 150 } })).toThrow("'stake.equityPercent': must be ≤ 100 (percent of equity)");
    expect(() => resolveMoneyConfig({ balanse: 5 } as never)).toThrow("unknown key(s) 'balanse'");
  });

  it('stake amounts: fixed, a share of equity, quantity × priceOpen of a sizing method', () => {
    const at = { equity: 10_000, priceOpen: 50_000, priceStopLoss: 49_000 };
    expect(stakeAmount(250, at)).toBe(250);
    expect(stakeAmount({ equityPercent: 10 }, at)).toBe(1000);
    // §10: Kelly W 0.55, R 1.5, ×0.25 → 0.0125 at 50 000.
    expect(stakeAmount({ method: 'kelly', winRate: 0.55, winLossRatio: 1.5, kellyMultiplier: 0.25 }, at)).toBeCloseTo(625, 9);
    expect(stakeAmount({ method: 'atr', riskPercent: 2, atr: 500, atrMultiplier: 2 }, at)).toBeCloseTo(10_000, 9);
  });
});
