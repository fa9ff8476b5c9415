import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountCollector, accountReport } from '../../src/core/account-report.js';
import { INSUFFICIENT_BALANCE } from '../../src/core/account.js';
import { resolveConfig, type ConfigInput } from '../../src/core/config.js';
import type { AccountOutput } from '../../src/core/equity.js';
import type { SignalEvent } from '../../src/core/events.js';
import { interleaveAsRun } from '../../src/core/interleave.js';
import { defineRisk } from '../../src/core/risk.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { dip, trend } from '../support/fixtures.js';

// The account wired into real runs (SEMANTICS §12) on the real ETH/DASH/XMR 1-minute candles, merged in time order.
const DIR = path.resolve(__dirname, '../../../shared/data/freqtrade');
const FILES = { 'ETH/BTC': 'ETH_BTC-1m.json', 'DASH/BTC': 'DASH_BTC-1m.json', 'XMR/BTC': 'XMR_BTC-1m.json' } as const;
const present = Object.values(FILES).every((f) => existsSync(path.join(DIR, f)));
const data = () =>
  Object.fromEntries(Object.entries(FILES).map(([symbol, file]) => [symbol, JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as number[][]]));

const strategies = [trend, dip(0.998)];
// Far above the lanes there are (6): only the account can refuse a signal here.
const wide = defineRisk({ name: 'wide', maxConcurrentPositions: 100 });

async function run(config: ConfigInput): Promise<{ events: SignalEvent[]; outputs: AccountOutput[] }> {
  const outputs: AccountOutput[] = [];
  const events = await collect(
    backtest({ source: replayCandles(data()), strategies, config, risk: wide, onAccount: (o) => outputs.push(o), accountEveryMs: 3_600_000 }),
  );
  return { events, outputs };
}

const withoutMoney = (events: readonly SignalEvent[]) =>
  events.map((e) => {
    const { stake: _stake, profit: _profit, ...rest } = e as SignalEvent & { stake?: number; profit?: number };
    return rest;
  });

describe.runIf(present)('the account of a run (real ETH/DASH/XMR 1m data)', () => {
  it('a stake is refused (insufficient balance) exactly when free cash is short; events carry stake and profit', async () => {
    const balance = 10_000;
    const stake = 3_000;
    const { events, outputs } = await run({ balance, stake, closeAtEnd: true });
    // An independent ledger from the events alone: cash falls by each stake, rises by stake + profit at each close.
    let cash = balance;
    const held = new Map<string, number>();
    const lane = (e: SignalEvent) => `${e.strategy}|${e.symbol}`;
    let refusedAtEntry = 0;
    let refusedAtActivation = 0;
    let profits = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.action === 'opened') {
        expect(cash, `cash before ${e.eventId}`).toBeGreaterThanOrEqual(stake);
        expect(e.stake).toBe(stake);
        cash -= stake;
        held.set(lane(e), stake);
      } else if (e.action === 'closed') {
        expect(e.stake).toBe(held.get(lane(e)));
        expect(e.profit).toBeCloseTo((stake * e.pnl.pnlPercentage) / 100, 9);
        cash += e.stake! + e.profit!;
        profits += e.profit!;
        held.delete(lane(e));
      } else if (e.action === 'risk') {
        expect(e.reason).toBe(INSUFFICIENT_BALANCE);
        expect(cash, `cash at ${e.eventId}`).toBeLessThan(stake);
        const next = events[i + 1];
        if (next?.action === 'cancelled' && next.signal.id === e.signal.id) {
          expect(next.reason).toBe('risk');
          expect(next.now).toBe(e.now);
          refusedAtActivation++;
        } else refusedAtEntry++;
      }
      expect(cash).toBeGreaterThanOrEqual(0);
    }
    expect(refusedAtEntry).toBeGreaterThan(0);
    expect(refusedAtActivation).toBeGreaterThan(0);
    expect(held.size).toBe(0);
    // The account saw the same: one rejection per `risk` event, and final equity = balance + Σ profit (all closed).
    expect(outputs.filter((o) => o.kind === 'rejected')).toHaveLength(refusedAtEntry + refusedAtActivation);
    const stats = outputs.find((o) => o.kind === 'stats')!;
    expect(stats.kind === 'stats' && stats.stats.finalEquity).toBeCloseTo(balance + profits, 6);
    expect(stats.kind === 'stats' && stats.stats.maxDrawdown).toBeLessThan(100);
  }, 60_000);

  it('with the defaults (10 % of equity) six lanes never run short: the events are those of a run whose stakes never matter', async () => {
    const byDefault = await run({});
    const tiny = await run({ stake: 1 });
    expect(byDefault.events.some((e) => e.action === 'risk')).toBe(false);
    expect(withoutMoney(byDefault.events)).toEqual(withoutMoney(tiny.events));
    expect(byDefault.events.filter((e) => e.action === 'opened').every((e) => e.action === 'opened' && e.stake! > 0)).toBe(true);
  }, 60_000);

  it('accountReport over the candles and events gives the run’s own statistics and a bounded curve', async () => {
    const config = resolveConfig({ stake: { equityPercent: 20 } });
    const collector = new AccountCollector(config, { maxPoints: 50 });
    const events = await collect(
      backtest({ source: replayCandles(data()), strategies, config, risk: wide, onAccount: collector.see, accountEveryMs: collector.bucketMs }),
    );
    const live = collector.result();
    const candles = await collect(replayCandles(data()));
    const signals = events.filter((e) => e.action !== 'progress' && e.action !== 'done');
    const after = accountReport(interleaveAsRun(candles, signals), { money: config, config, maxPoints: 50 });
    expect(after.statistics).toEqual(live.statistics);
    expect(live.equity.length).toBeLessThanOrEqual(50);
    expect(live.equity.length).toBeGreaterThan(10);
    expect(live.equity.at(-1)!.equity).toBeCloseTo(live.statistics.finalEquity, 9);
  }, 60_000);
});
