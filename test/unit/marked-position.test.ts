import { describe, expect, it } from 'vitest';
import { positionWorth, type OpenStake } from '../../src/core/account.js';
import { MarkedPosition } from '../../src/core/marked-position.js';

// A deterministic spread of prices and costs (xorshift), so the check covers many roundings without a random seed.
function* values(count: number): Generator<number> {
  let x = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield (x >>> 0) / 2 ** 32;
  }
}

describe('MarkedPosition', () => {
  it('is worth exactly what positionWorth gives (same bits) for long and short, any costs and close', () => {
    const r = values(6 * 2000)[Symbol.iterator]();
    const next = () => r.next().value as number;
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const costs = { feePercent: next() * 0.2, slippagePercent: next() * 0.3 };
      const p: OpenStake = {
        symbol: 'BTC/USDT',
        strategy: 's',
        signalId: 'id',
        position: next() < 0.5 ? 'long' : 'short',
        priceOpen: 1 + next() * 50_000,
        stake: 1 + next() * 5_000,
      };
      const close = p.priceOpen * (0.5 + next());
      const marked = new MarkedPosition(p, { close, at: 0 }, costs);
      expect(Object.is(marked.worth(), positionWorth(p, close, costs))).toBe(true);
      checked++;
    }
    expect(checked).toBe(2000);
  });

  it('is worth its stake before its symbol has a close', () => {
    const p: OpenStake = { symbol: 'ETH/USDT', strategy: 's', signalId: 'id', position: 'short', priceOpen: 100, stake: 250 };
    expect(new MarkedPosition(p, { close: Number.NaN, at: -Infinity }, { feePercent: 0.1, slippagePercent: 0.1 }).worth()).toBe(250);
  });

  it('follows its mark as the close changes in place', () => {
    const p: OpenStake = { symbol: 'ETH/USDT', strategy: 's', signalId: 'id', position: 'long', priceOpen: 100, stake: 1000 };
    const costs = { feePercent: 0.1, slippagePercent: 0.05 };
    const mark = { close: 100, at: 0 };
    const marked = new MarkedPosition(p, mark, costs);
    mark.close = 110;
    expect(marked.worth()).toBe(positionWorth(p, 110, costs));
  });
});
