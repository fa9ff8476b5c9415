import { describe, expect, it } from 'vitest';
import { closeStake, equityOf, INSUFFICIENT_BALANCE, newAccount, openStake, positionWorth, type AccountState } from '../../src/core/account.js';
import { resolveConfig } from '../../src/core/config.js';
import { accountOver, type AccountOutput } from '../../src/core/equity.js';
import { closedEvent, signalEvent, type SignalEvent } from '../../src/core/events.js';
import { resolveMoneyConfig, type StakeInput } from '../../src/core/money-config.js';
import { computePnl } from '../../src/core/pnl.js';
import type { Position, Signal } from '../../src/core/signal.js';
import { computeStatistics } from '../../src/core/stats.js';
import { minutes } from '../../src/testing.js';

const config = resolveConfig();
const lane = { symbol: 'BTC/USD', strategy: 's' };

function signal(id: string, position: Position, at: number): Signal {
  const long = position === 'long';
  return {
    id,
    position,
    priceOpen: 42_000,
    priceTakeProfit: long ? 43_000 : 41_000,
    priceStopLoss: long ? 41_000 : 43_000,
    minuteEstimatedTime: 60,
    scheduledAt: at,
    pendingAt: at,
    note: null,
  };
}

/** Each trade opened at 42000 and closed at `close` one minute later; the next opens at that same instant. */
function trades(list: ReadonlyArray<{ position: Position; close: number }>): SignalEvent[] {
  const events: SignalEvent[] = [];
  list.forEach(({ position, close }, i) => {
    const s = signal(`t${i}`, position, minutes(i));
    events.push(signalEvent('opened', lane, s, minutes(i)));
    const reason = (position === 'long') === close > 42_000 ? 'take_profit' : 'stop_loss';
    events.push(closedEvent(lane, s, minutes(i + 1), reason, computePnl(position, 42_000, close, config)));
  });
  return events;
}

// SEMANTICS "Reference values", Money: +1.976395 %, −2.775995 %, +1.985519 %.
const REFERENCE = trades([
  { position: 'long', close: 43_000 },
  { position: 'long', close: 41_000 },
  { position: 'short', close: 41_000 },
]);

function run(events: readonly SignalEvent[], stake: StakeInput, balance = 10_000) {
  const outputs: AccountOutput[] = [];
  const stats = accountOver(events, { money: resolveMoneyConfig({ balance, stake }), config }, (o) => outputs.push(o));
  return { stats, outputs };
}

describe('the account: SEMANTICS §12 reference values', () => {
  it('stake 1000: final equity 10 011.859185, totalReturn 0.118592 %, maxDrawdown 0.277052 %', () => {
    const { stats } = run(REFERENCE, 1000);
    expect(stats.finalEquity).toBeCloseTo(10_011.859185, 6);
    expect(stats.totalReturn).toBeCloseTo(0.118592, 6);
    expect(stats.maxDrawdown).toBeCloseTo(0.277052, 6);
    expect(stats.feesPaid).toBeCloseTo(6, 9);
  });

  it('stake { equityPercent: 10 }: final 10 011.788335, totalReturn 0.117883 %, maxDrawdown 0.277600 %, feesPaid 6.002343', () => {
    const { stats, outputs } = run(REFERENCE, { equityPercent: 10 });
    expect(stats.finalEquity).toBeCloseTo(10_011.788335, 6);
    expect(stats.totalReturn).toBeCloseTo(0.117883, 6);
    expect(stats.maxDrawdown).toBeCloseTo(0.2776, 6);
    expect(stats.feesPaid).toBeCloseTo(6.002343, 6);
    // Compounding: each stake is 10 % of the equity at its opening.
    const stakes = outputs.flatMap((o) => (o.kind === 'opened' ? [o.stake] : []));
    expect(stakes[0]).toBeCloseTo(1000, 9);
    expect(stakes[1]).toBeCloseTo(1001.976395, 6);
  });

  it('the default stake is { equityPercent: 10 } of a 10 000 balance', () => {
    const outputs: AccountOutput[] = [];
    const stats = accountOver(REFERENCE, { money: resolveMoneyConfig(), config }, (o) => outputs.push(o));
    expect(stats.balance).toBe(10_000);
    expect(stats.finalEquity).toBeCloseTo(10_011.788335, 6);
  });

  it('the pure rules give the same numbers step by step: money pnl = stake · pnl/100, fees = stake · 2 · fee/100', () => {
    let state: AccountState = newAccount(10_000);
    const pnls = [1.976395, -2.775995, 1.985519];
    const worth: number[] = [];
    pnls.forEach((_, i) => {
      const s = REFERENCE[2 * i] as Extract<SignalEvent, { action: 'opened' }>;
      const ref = { symbol: lane.symbol, strategy: lane.strategy, signalId: s.signal.id };
      const opened = openStake(state, { ...ref, position: s.signal.position, priceOpen: 42_000, priceStopLoss: s.signal.priceStopLoss }, 1000, 10_000);
      expect(opened.accepted).toBe(true);
      state = opened.state;
      expect(state.cash).toBeCloseTo(9000 + worth.reduce((a, b) => a + b - 1000, 0), 6);
      const closed = REFERENCE[2 * i + 1] as Extract<SignalEvent, { action: 'closed' }>;
      const result = closeStake(state, ref, closed.pnl.pnlPercentage, config);
      if (!result.held) throw new Error('the account should hold the position');
      expect(result.profit).toBeCloseTo(10 * pnls[i]!, 5);
      expect(result.fees).toBeCloseTo(2, 12);
      worth.push(1000 + result.profit);
      state = result.state;
    });
    expect(state.cash).toBeCloseTo(10_011.859185, 6);
    expect(state.positions.size).toBe(0);
  });
});

describe('the account: rejections and marks', () => {
  const ref = { symbol: 'ETH/BTC', strategy: 's', signalId: 'a', position: 'long' as const, priceOpen: 100, priceStopLoss: 95 };

  it('a stake larger than free cash is rejected with reason "insufficient balance" and nothing changes', () => {
    const state = newAccount(500);
    const result = openStake(state, ref, 500.01, 500);
    expect(result).toEqual({ accepted: false, state, stake: 500.01, reason: INSUFFICIENT_BALANCE });
    expect(INSUFFICIENT_BALANCE).toBe('insufficient balance');
    // All the free cash is not more than the free cash.
    expect(openStake(state, ref, 500, 500).accepted).toBe(true);
  });

  it('a stake that is not positive is rejected (equityPercent of a non-positive equity, a sizing that gives 0)', () => {
    const state = newAccount(500);
    expect(openStake(state, ref, { equityPercent: 10 }, 0).accepted).toBe(false);
    expect(openStake(state, ref, { equityPercent: 10 }, -50).accepted).toBe(false);
    // Kelly with a negative edge sizes 0.
    const kelly = resolveMoneyConfig({ stake: { method: 'kelly', winRate: 0.2, winLossRatio: 1 } }).stake;
    const zero = openStake(state, ref, kelly, 500);
    expect(zero).toMatchObject({ accepted: false, stake: 0, reason: INSUFFICIENT_BALANCE });
  });

  it('a sizing method gives quantity × priceOpen, with the equity as its balance (§10: 2 % over a 1000 stop distance → 0.2)', () => {
    const state = newAccount(20_000);
    const sized = openStake(state, { ...ref, priceOpen: 50_000, priceStopLoss: 49_000 }, resolveMoneyConfig({ stake: { method: 'fixed-percentage', riskPercent: 2 } }).stake, 10_000);
    expect(sized.accepted).toBe(true);
    expect(sized.stake).toBeCloseTo(0.2 * 50_000, 9);
  });

  it('an open position is worth stake · (1 + u/100) at its symbol\'s latest close; without a close, its stake', () => {
    const opened = openStake(newAccount(10_000), { ...ref, priceOpen: 42_000, priceStopLoss: 41_000 }, 1000, 10_000);
    const p = opened.state.positions.values().next().value!;
    expect(positionWorth(p, 43_000, config)).toBeCloseTo(1019.76395, 5);
    expect(equityOf(opened.state, new Map(), config)).toBe(10_000);
    expect(equityOf(opened.state, new Map([['ETH/BTC', 41_000]]), config)).toBeCloseTo(9000 + 1000 * (1 - 0.02775995), 5);
    expect(equityOf(opened.state, new Map([['OTHER', 1]]), config)).toBe(10_000);
  });

  it('a close of a signal the account does not hold changes nothing', () => {
    const state = newAccount(100);
    expect(closeStake(state, ref, 5, config)).toEqual({ held: false, state });
    const opened = openStake(state, ref, 50, 100).state;
    expect(closeStake(opened, { ...ref, signalId: 'other' }, 5, config).held).toBe(false);
  });
});

describe('the account: drawdown of equity against per-trade percentages', () => {
  it('60 losing trades whose percentages sum past −100 % draw the equity down by less than 100 %', () => {
    const losing = trades(Array.from({ length: 60 }, () => ({ position: 'long' as const, close: 41_000 })));
    const perTrade = computeStatistics(losing);
    expect(perTrade.totalPnl).toBeLessThan(-100);
    expect(perTrade.maxDrawdown!).toBeGreaterThan(100);
    for (const stake of [{ equityPercent: 10 }, 150] as const) {
      const { stats, outputs } = run(losing, stake);
      expect(stats.maxDrawdown).toBeLessThan(100);
      expect(stats.maxDrawdown).toBeGreaterThan(0);
      expect(stats.finalEquity).toBeGreaterThan(0);
      for (const o of outputs) if ('cash' in o) expect(o.cash).toBeGreaterThanOrEqual(0);
    }
    // 10 % stakes compound: 10 000 · (1 − 0.1 · 0.02775995)^60.
    expect(run(losing, { equityPercent: 10 }).stats.finalEquity).toBeCloseTo(10_000 * (1 - 0.002775995) ** 60, 3);
  });
});
