import { describe, expect, it } from 'vitest';
import { closeStake, newAccount, openStake, partialCloseStake, positionWorth } from '../../src/core/account.js';
import { resolveConfig } from '../../src/core/config.js';
import { MarkedPosition } from '../../src/core/marked-position.js';
import { computePnl } from '../../src/core/pnl.js';

// SEMANTICS §12 with §13: a partial close returns its part of the stake with its profit; leverage keeps the stake as margin.
const config = resolveConfig();
const ref = { symbol: 'BTC/USD', strategy: 's', signalId: 'x' };
const request = { ...ref, position: 'long' as const, priceOpen: 100, priceStopLoss: 95 };

describe('money of a managed position', () => {
  it('50 % at 110, the rest at 90: each part returns its stake and profit; the trade ends where its total pnl says', () => {
    const opened = openStake(newAccount(10_000), request, 1000, 10_000);
    expect(opened.accepted).toBe(true);
    const p1 = computePnl('long', 100, 110, config).pnlPercentage;
    const part = partialCloseStake(opened.state, ref, 0.5, p1, config);
    if (!part.held) throw new Error('held');
    expect(part.stake).toBe(500);
    expect(part.profit).toBe((500 * p1) / 100);
    expect(p1).toBeCloseTo(9.58022, 6);
    expect(part.state.cash).toBeCloseTo(9000 + 500 + part.profit, 9);
    expect(part.state.positions.get('s|BTC/USD')!.stake).toBe(500);
    // The trade's total (SEMANTICS reference: −0.399800 %) closes it.
    const closed = closeStake(part.state, ref, -0.3998, config);
    if (!closed.held) throw new Error('held');
    expect(closed.stake).toBe(1000);
    expect(closed.profit).toBeCloseTo(-3.998, 9);
    expect(closed.state.cash).toBeCloseTo(10_000 - 3.998, 9);
    expect(closed.state.positions.size).toBe(0);
    // Fees: each part pays its own round trip.
    expect(closed.state.feesPaid).toBeCloseTo(2, 9);
  });

  it('a partial close of a signal the account does not hold changes nothing', () => {
    const state = newAccount(100);
    expect(partialCloseStake(state, ref, 0.5, 1, config)).toEqual({ held: false, state });
  });

  it('leverage: the stake is the margin, marked at leverage × u, and the fees are on the notional', () => {
    const opened = openStake(newAccount(10_000), { ...request, leverage: 10 }, 1000, 10_000);
    const held = opened.state.positions.get('s|BTC/USD')!;
    expect(held.leverage).toBe(10);
    const u = computePnl('long', 100, 103, config).pnlPercentage;
    expect(positionWorth(held, 103, config)).toBeCloseTo(1000 * (1 + (10 * u) / 100), 9);
    const mark = { close: 103, at: 0 };
    expect(new MarkedPosition(held, mark, config).worth()).toBe(positionWorth(held, 103, config));
    const closed = closeStake(opened.state, ref, 25.942058, config);
    if (!closed.held) throw new Error('held');
    expect(closed.profit).toBeCloseTo(259.42058, 6);
    expect(closed.fees).toBeCloseTo(20, 9);
  });

  it('leverage 1 and no partial close keep the plain position record', () => {
    const opened = openStake(newAccount(10_000), { ...request, leverage: 1 }, 1000, 10_000);
    expect(Object.keys(opened.state.positions.get('s|BTC/USD')!)).toEqual(['symbol', 'strategy', 'signalId', 'position', 'priceOpen', 'stake']);
  });
});
