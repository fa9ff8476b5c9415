import { lastValueFrom, take, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import type { LmdbStore } from '../../src/lmdb.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { tamper, tempStore } from '../support/temp-store.js';
import { dip as dipAt, series, trend } from '../support/fixtures.js';
import { deferredCleanups } from '../support/cleanups.js';



const data = { 'BTC/USDT': series(1500, 0), 'ETH/USDT': series(1500, 50) };

const dip = dipAt(0.997);

/** The same as {@link trend}, answering through a Promise: the resumable async path. */
const slowTrend: Strategy = { ...trend, name: 'slow-trend', getSignal: async (ctx) => trend.getSignal(ctx) };

const config = { scheduleAwaitMinutes: 30 };

function run(strategies: readonly Strategy[], store?: LmdbStore, money: { stake?: number } = {}): Observable<SignalEvent> {
  return backtest({ source: replayCandles(data), strategies, config: { ...config, ...money }, store });
}

const collect = (events$: Observable<SignalEvent>) => lastValueFrom(events$.pipe(toArray()));
const ids = (events: readonly SignalEvent[]) => events.map((e) => e.eventId);
const outbox = (store: LmdbStore) => store.checkpoints().flatMap((c) => c.checkpoint.events);

const defer = deferredCleanups();

async function fresh(options: { noSync?: boolean } = {}) {
  const t = await tempStore(options);
  defer(t.cleanup);
  return t;
}

/**
 * Interrupt a run after each of `cuts` events in turn (unsubscribing, as a stopped process would), restart it on
 * the reopened store, and check the runs together delivered exactly the uninterrupted run's events: every event
 * equal to the original, none duplicated except the re-delivered ones, in the original order.
 */
async function interruptAndResume(strategies: readonly Strategy[], cuts: readonly number[], noSync = false) {
  const full = await collect(run(strategies));
  const t = await fresh({ noSync });
  const seen = new Set<string>();
  const delivered: SignalEvent[] = [];
  let store = t.store;
  for (let i = 0; i <= cuts.length; i++) {
    const redelivered = outbox(store);
    const events = await collect(i < cuts.length ? run(strategies, store).pipe(take(redelivered.length + cuts[i]!)) : run(strategies, store));
    // Re-delivered first, with their original ids; each was already delivered or belongs to the cut step.
    expect(events.slice(0, redelivered.length)).toEqual(redelivered);
    const fresh = events.slice(redelivered.length);
    for (const e of redelivered) seen.add(e.eventId);
    // Nothing new was seen before: no transition was made twice, no partial level emitted again.
    expect(fresh.filter((e) => seen.has(e.eventId))).toEqual([]);
    for (const e of fresh) seen.add(e.eventId);
    delivered.push(...redelivered.filter((e) => !delivered.some((d) => d.eventId === e.eventId)), ...fresh);
    store = await t.reopen();
  }
  const byId = new Map(delivered.map((e) => [e.eventId, e]));
  expect([...byId.keys()].sort()).toEqual(ids(full).sort());
  for (const e of full) expect(byId.get(e.eventId)).toEqual(e);
  return { full, delivered };
}

describe('checkpointed backtest', () => {
  it('the test data exercise every transition', async () => {
    const full = await collect(run([trend, dip]));
    const actions = new Set(full.map((e) => (e.action === 'closed' ? `closed:${e.closeReason}` : e.action === 'cancelled' ? `cancelled:${e.reason}` : e.action)));
    for (const a of ['opened', 'scheduled', 'closed:take_profit', 'closed:stop_loss', 'closed:time_expired', 'cancelled:timeout', 'partial_profit', 'partial_loss']) {
      expect(actions).toContain(a);
    }
    expect(full.length).toBeGreaterThan(100);
  });

  it('a store changes nothing about the events of an uninterrupted run', async () => {
    const t = await fresh();
    expect(await collect(run([trend, dip], t.store))).toEqual(await collect(run([trend, dip])));
    // Every lane ended with a checkpoint of its last transition.
    expect(t.store.checkpoints().map((c) => `${c.strategy} ${c.symbol}`)).toEqual([
      'dip BTC/USDT',
      'dip ETH/USDT',
      'trend BTC/USDT',
      'trend ETH/USDT',
    ]);
  });

  it('an interrupted run resumed from the store delivers exactly the uninterrupted events (durable store)', async () => {
    const { full } = await interruptAndResume([trend, dip], [1, 37, 120]);
    expect(full.some((e) => e.action === 'partial_profit')).toBe(true);
  });

  it('survives interruption at many points, including between the events of one candle (no-sync store)', async () => {
    const full = await collect(run([trend, dip]));
    // Find candles that released several events at once, and cut between them.
    const within: number[] = [];
    for (let i = 1; i < full.length && within.length < 3; i++) {
      if (full[i]!.now === full[i - 1]!.now && full[i]!.strategy === full[i - 1]!.strategy) within.push(i);
    }
    expect(within.length).toBeGreaterThan(0);
    for (const cut of [...within, 2, 5, 64, full.length - 1]) await interruptAndResume([trend, dip], [cut], true);
  });

  it('writing only the lanes that changed restores exactly what writing every lane whole restores, at any point', async () => {
    const full = await collect(run([trend, dip]));
    for (const n of [1, 37, 120, full.length - 1]) {
      const cut = await fresh({ noSync: true });
      const whole = await fresh({ noSync: true });
      let written = 0;
      let progressed = 0;
      const counting = {
        writeCheckpoint: cut.store.writeCheckpoint.bind(cut.store),
        readCheckpoint: cut.store.readCheckpoint.bind(cut.store),
        checkpoints: cut.store.checkpoints.bind(cut.store),
        writeCut: (entries: Parameters<LmdbStore['writeCut']>[0], progress: Parameters<LmdbStore['writeCut']>[1]) => {
          written += entries.length;
          progressed += progress.length;
          cut.store.writeCut(entries, progress);
        },
      };
      // The same store without `writeCut`: every lane is written whole at every cut.
      const wholeOnly = {
        writeCheckpoint: whole.store.writeCheckpoint.bind(whole.store),
        writeCheckpoints: whole.store.writeCheckpoints.bind(whole.store),
        readCheckpoint: whole.store.readCheckpoint.bind(whole.store),
        checkpoints: whole.store.checkpoints.bind(whole.store),
      };
      await collect(run([trend, dip], counting as unknown as LmdbStore).pipe(take(n)));
      await collect(run([trend, dip], wholeOnly as unknown as LmdbStore).pipe(take(n)));
      const restored = (await cut.reopen()).checkpoints();
      expect(restored, `after ${n} events`).toEqual((await whole.reopen()).checkpoints());
      if (n > 100) expect(progressed, 'lanes written as progress only').toBeGreaterThan(written);
    }
  });

  it('an async strategy resumes the same way', async () => {
    await interruptAndResume([slowTrend, dip], [9, 50], true);
  });

  it('a lane whose checkpoint is corrupted is quarantined and replayed from the start: same final events, re-delivered ids', async () => {
    // A lane replayed from its start funds its signals again from an account restored at the cut: with a fixed stake
    // every stake and profit is still the uninterrupted run's (an equity-percent stake would follow the extra cash used).
    const fixed = { stake: 100 };
    const full = await collect(run([trend], undefined, fixed));
    const t = await fresh();
    const first = await collect(run([trend], t.store, fixed).pipe(take(80)));
    await t.store.close();
    await tamper(t.path, 'checkpoints', ['trend', 'ETH/USDT'], { version: 1, state: 'lost' });
    const store = await t.reopen();
    const btcOutbox = ids(store.readCheckpoint('trend', 'BTC/USDT')!.events);
    const second = await collect(run([trend], store, fixed));
    expect(t.reports).toMatchObject([{ db: 'checkpoints', key: ['trend', 'ETH/USDT'] }]);
    const all = new Map([...first, ...second].map((e) => [e.eventId, e]));
    expect([...all.keys()].sort()).toEqual(ids(full).sort());
    for (const e of full) expect(all.get(e.eventId)).toEqual(e);
    // The corrupted lane re-emitted everything it had delivered; the healthy one only its re-delivered outbox.
    const again = second.filter((e) => first.some((f) => f.eventId === e.eventId));
    expect(ids(again.filter((e) => e.symbol === 'ETH/USDT'))).toEqual(ids(first.filter((e) => e.symbol === 'ETH/USDT')));
    for (const id of ids(again.filter((e) => e.symbol === 'BTC/USDT'))) expect(btcOutbox).toContain(id);
  });
});
