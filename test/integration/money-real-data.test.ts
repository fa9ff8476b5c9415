import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import { EquityTracker, type AccountOutput } from '../../src/core/equity.js';
import type { EventOf, SignalEvent } from '../../src/core/events.js';
import { resolveMoneyConfig, type MoneyConfigInput } from '../../src/core/money-config.js';
import type { PortfolioStatistics } from '../../src/core/portfolio-stats.js';
import { computePnl } from '../../src/core/pnl.js';
import { defineRisk } from '../../src/core/risk.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { dip, trend } from '../support/fixtures.js';

// Real 1-minute candles of three BTC pairs (the shared Freqtrade fixtures), merged in time order.
const DIR = path.resolve(__dirname, '../../../shared/data/freqtrade');
const FILES = { 'ETH/BTC': 'ETH_BTC-1m.json', 'DASH/BTC': 'DASH_BTC-1m.json', 'XMR/BTC': 'XMR_BTC-1m.json' } as const;
const missing = Object.values(FILES).filter((f) => !existsSync(path.join(DIR, f)));
if (missing.length > 0) console.log(`money-real-data: skipped, real data missing in ${DIR}: ${missing.join(', ')}`);

const data = () =>
  Object.fromEntries(Object.entries(FILES).map(([symbol, file]) => [symbol, JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as number[][]]));

const config = resolveConfig();
const strategies = [trend, dip(0.998)];
const noLimit = defineRisk({ name: 'wide', maxConcurrentPositions: 100 });

const key = (e: { strategy: string; symbol: string; signalId: string }) => `${e.strategy}|${e.symbol}|${e.signalId}`;
const signalKeyOf = (e: SignalEvent & { signal: { id: string } }) => `${e.strategy}|${e.symbol}|${e.signal.id}`;

/**
 * An independent cash ledger, fed the account's records as they happen (so the latest closes are those the account
 * saw): checks each rule of SEMANTICS §12 against its own arithmetic.
 */
class Ledger {
  cash: number;
  profits = 0;
  rejections = 0;
  accepted = 0;
  readonly funded = new Map<string, { stake: number; event: EventOf<'opened'> }>();
  private readonly decided = new Set<string>();
  private readonly opened: Map<string, EventOf<'opened'>>;
  private readonly closed: Map<string, EventOf<'closed'>>;

  constructor(
    readonly balance: number,
    events: readonly SignalEvent[],
    private readonly stakeOf: (equity: number) => number,
  ) {
    this.cash = balance;
    this.opened = new Map(events.filter((e): e is EventOf<'opened'> => e.action === 'opened').map((e) => [signalKeyOf(e), e]));
    this.closed = new Map(events.filter((e): e is EventOf<'closed'> => e.action === 'closed').map((e) => [signalKeyOf(e), e]));
  }

  /** Cash plus every funded position marked at the latest closes. */
  equity(lastClose: ReadonlyMap<string, number>): number {
    let equity = this.cash;
    for (const { stake, event } of this.funded.values()) {
      const close = lastClose.get(event.symbol);
      const u = close === undefined ? 0 : computePnl(event.signal.position, event.signal.priceOpen, close, config).pnlPercentage;
      equity += stake * (1 + u / 100);
    }
    return equity;
  }

  see(o: AccountOutput, lastClose: ReadonlyMap<string, number>): void {
    if (o.kind === 'stats') return;
    expect(o.cash).toBeGreaterThanOrEqual(0);
    if (o.kind === 'equity') {
      expect(o.equity).toBeCloseTo(this.equity(lastClose), 6);
      expect(o.openPositions).toBe(this.funded.size);
    } else if (o.kind === 'opened' || o.kind === 'rejected') {
      const k = key(o);
      expect(this.opened.has(k)).toBe(true);
      expect(this.decided.has(k)).toBe(false);
      this.decided.add(k);
      expect(o.stake).toBeCloseTo(this.stakeOf(this.equity(lastClose)), 6);
      if (o.kind === 'opened') {
        // Accepted exactly when the stake fits in free cash.
        expect(o.stake).toBeLessThanOrEqual(this.cash);
        this.cash -= o.stake;
        this.funded.set(k, { stake: o.stake, event: this.opened.get(k)! });
        this.accepted += 1;
      } else {
        expect(o.reason).toBe('insufficient balance');
        expect(o.stake).toBeGreaterThan(this.cash);
        this.rejections += 1;
      }
    } else {
      const k = key(o);
      const event = this.closed.get(k)!;
      const held = this.funded.get(k)!;
      expect(o.stake).toBe(held.stake);
      expect(event.pnl.priceOpen).toBe(held.event.signal.priceOpen);
      expect(o.profit).toBeCloseTo((o.stake * event.pnl.pnlPercentage) / 100, 9);
      expect(o.fees).toBeCloseTo((o.stake * 2 * config.feePercent) / 100, 9);
      this.cash += o.stake + o.profit;
      this.profits += o.profit;
      this.funded.delete(k);
    }
    if (o.kind !== 'equity') expect(o.cash).toBeCloseTo(this.cash, 6);
  }

  /** Every opened event was funded or rejected; the account holds exactly the funded positions still open. */
  finish(stats: PortfolioStatistics, lastClose: ReadonlyMap<string, number>, open: Iterable<{ strategy: string; symbol: string; signalId: string }>): void {
    expect(this.decided.size).toBe(this.opened.size);
    expect([...this.funded.keys()].sort()).toEqual([...open].map(key).sort());
    // Final equity = balance + Σ profit of closed trades + marked value of the open ones.
    let marked = 0;
    for (const { stake, event } of this.funded.values()) {
      marked += (stake * computePnl(event.signal.position, event.signal.priceOpen, lastClose.get(event.symbol)!, config).pnlPercentage) / 100;
    }
    expect(stats.finalEquity).toBeCloseTo(this.balance + this.profits + marked, 6);
    expect(stats.feesPaid).toBeGreaterThan(0);
    expect(stats.maxDrawdown).toBeGreaterThan(0);
    expect(stats.maxDrawdown).toBeLessThan(100);
    expect(stats.days).toBeGreaterThanOrEqual(10);
    expect(stats.sharpe).not.toBeNull();
    expect(stats.exposure).toBeGreaterThan(0);
    expect(stats.exposure).toBeLessThanOrEqual(100);
  }
}

/**
 * Runs the backtest, then streams the same candles through the account with the run's events interleaved by instant
 * (at one instant the candles first, as the engine produced them). Only the events are held in memory.
 */
async function runAccount(money: MoneyConfigInput, stakeOf: (equity: number) => number): Promise<Ledger> {
  const candles = data();
  const events = await collect(backtest({ source: replayCandles(candles), strategies, risk: noLimit, config }));
  const resolved = resolveMoneyConfig(money);
  const ledger = new Ledger(resolved.balance, events, stakeOf);
  const lastClose = new Map<string, number>();
  const tracker = new EquityTracker({ money: resolved, config }, (o) => ledger.see(o, lastClose));
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    replayCandles(candles).subscribe({
      next: (c: SymbolCandle) => {
        if (failed) return;
        try {
          const closeAt = c.candle.timestamp + 60_000;
          while (next < events.length && events[next]!.now < closeAt) tracker.step(events[next++]!);
          // Stepping this candle may close the previous instant, whose point the ledger checks at the closes before it.
          tracker.step(c);
          lastClose.set(c.symbol, c.candle.close);
        } catch (err) {
          // A failed expectation stops the replay and fails the test, instead of being reported once per candle.
          failed = true;
          reject(err);
        }
      },
      error: reject,
      complete: resolve,
    });
  });
  while (next < events.length) tracker.step(events[next++]!);
  const stats = tracker.finish();
  ledger.finish(stats, lastClose, tracker.state.positions.values());
  return ledger;
}

describe.skipIf(missing.length > 0)('the account on real ETH/DASH/XMR 1m data (SEMANTICS §12)', () => {
  it('a fixed stake of 1000 on a 2500 balance: exact bookkeeping, never negative cash, rejections exactly when cash is short', async () => {
    const { rejections, accepted } = await runAccount({ balance: 2500, stake: 1000 }, () => 1000);
    // Several symbols and two strategies overlap often enough for the third stake not to fit.
    expect(rejections).toBeGreaterThan(10);
    expect(accepted).toBeGreaterThan(100);
  }, 120_000);

  it('a 40 % equity stake: compounding stakes, same bookkeeping', async () => {
    const { rejections, accepted } = await runAccount({ balance: 10_000, stake: { equityPercent: 40 } }, (equity) => equity * 0.4);
    expect(rejections).toBeGreaterThan(10);
    expect(accepted).toBeGreaterThan(100);
  }, 120_000);
});
