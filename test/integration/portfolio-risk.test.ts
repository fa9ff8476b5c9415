import { lastValueFrom, take, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import { defineRisk, RiskError } from '../../src/core/risk.js';
import type { Strategy } from '../../src/core/strategy.js';
import type { LmdbStore } from '../../src/lmdb.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { maxOpenPositions } from '../support/positions.js';
import { tempStore } from '../support/temp-store.js';
import { dip as dipAt, trend } from '../support/fixtures.js';
import { deferredCleanups } from '../support/cleanups.js';

const collect = (events$: Observable<SignalEvent>) => lastValueFrom(events$.pipe(toArray()));

/** Limit entries a little below the price: exercises the check at activation. */
const dip = dipAt(0.998);

const maxTwo = defineRisk({ name: 'portfolio', maxConcurrentPositions: 2 });
const SYMBOLS = ['ADA/BTC', 'DASH/BTC', 'ETH/BTC', 'XLM/BTC', 'XMR/BTC'];

function synthetic(symbols: readonly string[]) {
  return syntheticCandles({ symbols: [...symbols], start: Date.UTC(2024, 0, 1), count: 2000, seed: 11, gaps: 0.002 });
}

describe('portfolio backtest with a risk profile', () => {
  it('the same portfolio with the symbols given in another order produces identical events', async () => {
    const runs = await Promise.all(
      [SYMBOLS, [...SYMBOLS].reverse(), ['XLM/BTC', 'ADA/BTC', 'XMR/BTC', 'ETH/BTC', 'DASH/BTC']].map((symbols) =>
        collect(backtest({ source: synthetic(symbols), strategies: [trend, dip], risk: maxTwo })),
      ),
    );
    expect(runs[0]!.length).toBeGreaterThan(100);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    // The gate actually worked: rejections at proposal and at activation, never more than 2 positions open.
    const events = runs[0]!;
    expect(events.filter((e) => e.action === 'risk').length).toBeGreaterThan(10);
    expect(events.some((e) => e.action === 'cancelled' && e.reason === 'risk')).toBe(true);
    expect(maxOpenPositions(events)).toBe(2);
  });

  it('replayed arrays given in another key order give identical events too', async () => {
    const candles = await collect(synthetic(SYMBOLS) as unknown as Observable<SignalEvent>);
    const bySymbol: Record<string, Candle[]> = {};
    for (const c of candles as unknown as Array<{ symbol: string; candle: Candle }>) (bySymbol[c.symbol] ??= []).push(c.candle);
    const reversed = Object.fromEntries(Object.entries(bySymbol).reverse());
    const a = await collect(backtest({ source: replayCandles(bySymbol), strategies: [trend], risk: maxTwo }));
    const b = await collect(backtest({ source: replayCandles(reversed), strategies: [trend], risk: maxTwo }));
    expect(b).toEqual(a);
    expect(a.some((e) => e.action === 'risk')).toBe(true);
  });

  it('without the profile more positions are open at once (the limit is what keeps it at 2)', async () => {
    const free = await collect(backtest({ source: synthetic(SYMBOLS), strategies: [trend, dip] }));
    expect(maxOpenPositions(free)).toBeGreaterThan(2);
    expect(free.some((e) => e.action === 'risk')).toBe(false);
  });

  it('a strategy naming an unknown profile fails at the start of the run, before any candle', async () => {
    const named: Strategy = { ...trend, risk: 'portfolio' };
    await expect(collect(backtest({ source: synthetic(SYMBOLS), strategies: [named] }))).rejects.toThrow(
      "strategy 'trend' names risk profile 'portfolio', which is not defined (none were given)",
    );
    await expect(collect(backtest({ source: synthetic(SYMBOLS), strategies: [{ ...trend, risk: ['portfolio', 'typo'] }], risk: maxTwo }))).rejects.toThrow(
      RiskError,
    );
  });
});

describe('portfolio backtest with a risk profile and a checkpoint store', () => {
  const defer = deferredCleanups();

  const run = (store?: LmdbStore) => backtest({ source: synthetic(SYMBOLS), strategies: [trend], risk: maxTwo, store });

  it('restored open positions hold their slots after a restart', async () => {
    const full = await collect(run());
    // Interrupt right after the second position of the run opened (both still open), then resume.
    let opened = 0;
    const cut = full.findIndex((e) => e.action === 'opened' && ++opened === 2) + 1;
    expect(cut).toBeGreaterThan(0);
    const t = await tempStore({ noSync: true });
    defer(t.cleanup);
    const first = await collect(run(t.store).pipe(take(cut)));
    const store = await t.reopen();
    const second = await collect(run(store));
    const byId = new Map([...first, ...second].map((e) => [e.eventId, e]));
    const delivered = [...byId.values()];
    expect(maxOpenPositions(delivered)).toBe(2);
    expect(delivered.filter((e) => e.action === 'risk').length).toBeGreaterThan(0);
  });

  it('a run interrupted at several points and resumed delivers exactly the uninterrupted events, risk rejections included', async () => {
    const full = await collect(run());
    const keyOf = (e: SignalEvent) => e.eventId;
    const fullIds = full.map(keyOf);
    expect(full.some((e) => e.action === 'risk')).toBe(true);
    // Cut points spread over the run, including right after risk rejections (where lanes are coupled through the gate).
    const riskAt = full.findIndex((e) => e.action === 'risk');
    for (const cut of [riskAt + 1, Math.floor(full.length / 3), Math.floor((2 * full.length) / 3)]) {
      const t = await tempStore({ noSync: true });
      defer(t.cleanup);
      const first = await collect(run(t.store).pipe(take(cut)));
      const store = await t.reopen();
      const second = await collect(run(store));
      // Re-delivery repeats ids; the set of distinct events and their first-seen order equal the uninterrupted run.
      const seen = new Set<string>();
      const delivered: string[] = [];
      for (const e of [...first, ...second]) {
        if (!seen.has(keyOf(e))) {
          seen.add(keyOf(e));
          delivered.push(keyOf(e));
        }
      }
      expect(delivered).toEqual(fullIds);
    }
  });
});
