import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { signalEvent } from '../../src/core/events.js';
import { IDLE_STATE, type LaneState } from '../../src/core/lane.js';
import type { Signal } from '../../src/core/signal.js';
import { openStore } from '../../src/lmdb.js';
import { restoreFrom } from '../../src/operators/checkpoint.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tamper, tempDir, tempStore } from '../support/temp-store.js';
import { deferredCleanups } from '../support/cleanups.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

const signal: Signal = {
  id: 'sma:BTC/USDT:1704067260000',
  position: 'long',
  priceOpen: 42000,
  priceTakeProfit: 43000,
  priceStopLoss: 41000,
  minuteEstimatedTime: 60,
  scheduledAt: T0 + MIN,
  pendingAt: T0 + MIN,
  note: null,
};

const opened: LaneState = { signal, partials: { profit: [10, 20], loss: [] }, lastAskedAt: T0 + MIN, managed: null };
const lane = { strategy: 'sma', symbol: 'BTC/USDT' };
const openedEvent = signalEvent('opened', lane, signal, T0 + MIN);

function candleAt(i: number): Candle {
  const open = 100 + (i % 7);
  return { timestamp: T0 + i * MIN, open, high: open + 2, low: open - 1, close: open + 1, volume: i % 3 };
}

const defer = deferredCleanups();

async function fresh(options: { noSync?: boolean } = {}) {
  const t = await tempStore(options);
  defer(t.cleanup);
  return t;
}

describe('lane checkpoints', () => {
  it('round-trips state, last timestamp and released events, across a reopen', async () => {
    const t = await fresh();
    expect(t.store.readCheckpoint('sma', 'BTC/USDT')).toBeUndefined();
    t.store.writeCheckpoint('sma', 'BTC/USDT', { state: opened, lastTimestamp: T0, events: [openedEvent] });
    t.store.writeCheckpoint('sma', 'ETH/USDT', { state: IDLE_STATE, lastTimestamp: T0 + 5 * MIN, events: [] });
    const expected = { version: 2, state: opened, lastTimestamp: T0, events: [openedEvent] };
    expect(t.store.readCheckpoint('sma', 'BTC/USDT')).toEqual(expected);

    const store = await t.reopen();
    expect(store.readCheckpoint('sma', 'BTC/USDT')).toEqual(expected);
    expect(store.checkpoints().map((c) => [c.strategy, c.symbol, c.checkpoint.lastTimestamp])).toEqual([
      ['sma', 'BTC/USDT', T0],
      ['sma', 'ETH/USDT', T0 + 5 * MIN],
    ]);
    expect(t.reports).toEqual([]);
  });

  it('a later write replaces the lane checkpoint', async () => {
    const t = await fresh();
    t.store.writeCheckpoint('sma', 'BTC/USDT', { state: opened, lastTimestamp: T0, events: [openedEvent] });
    t.store.writeCheckpoint('sma', 'BTC/USDT', { state: IDLE_STATE, lastTimestamp: T0 + MIN, events: [] });
    expect(t.store.readCheckpoint('sma', 'BTC/USDT')).toEqual({ version: 2, state: IDLE_STATE, lastTimestamp: T0 + MIN, events: [] });
    expect(t.store.checkpoints()).toHaveLength(1);
  });

  it('refuses to write a state it could not read back, naming the lane and the field', async () => {
    const t = await fresh();
    const bad = { ...opened, signal: { ...signal, priceOpen: Number.NaN } };
    expect(() => t.store.writeCheckpoint('sma', 'BTC/USDT', { state: bad, lastTimestamp: T0, events: [] })).toThrow(
      /strategy 'sma' on BTC\/USDT.*state\.signal\.priceOpen/,
    );
    expect(t.store.readCheckpoint('sma', 'BTC/USDT')).toBeUndefined();
  });

  it('quarantines a record that fails validation: moved with key, raw value and reason, reported, never thrown', async () => {
    const t = await fresh();
    t.store.writeCheckpoint('sma', 'ETH/USDT', { state: IDLE_STATE, lastTimestamp: T0, events: [] });
    await t.store.close();
    const garbage = { version: 1, state: { signal: 'nope' }, lastTimestamp: 'yesterday', events: [] };
    await tamper(t.path, 'checkpoints', ['sma', 'BTC/USDT'], garbage);
    const store = await t.reopen();

    expect(store.readCheckpoint('sma', 'BTC/USDT')).toBeUndefined();
    expect(t.reports).toHaveLength(1);
    const [report] = t.reports;
    expect(report).toMatchObject({ db: 'checkpoints', key: ['sma', 'BTC/USDT'], raw: garbage });
    expect(report!.reason).toMatch(/strategy 'sma' on BTC\/USDT/);
    expect(report!.reason).toMatch(/lastTimestamp/);
    expect(store.quarantined()).toEqual(t.reports);

    // Moved, not left behind: the next read neither sees nor re-reports it; the good lane is untouched.
    expect(store.readCheckpoint('sma', 'BTC/USDT')).toBeUndefined();
    expect(store.checkpoints().map((c) => c.symbol)).toEqual(['ETH/USDT']);
    expect(t.reports).toHaveLength(1);
  });

  it('quarantines a record from an unknown schema version', async () => {
    const t = await fresh();
    await t.store.close();
    await tamper(t.path, 'checkpoints', ['sma', 'BTC/USDT'], { version: 3, state: opened, lastTimestamp: T0, events: [] });
    const store = await t.reopen();
    expect(store.checkpoints()).toEqual([]);
    expect(t.reports.map((r) => r.reason)).toEqual([
      "checkpoint of strategy 'sma' on BTC/USDT: checkpoint format v3 is newer than this tickflow reads (v1 to v2): written by a newer version",
    ]);
  });

  it('restores a checkpoint as format v1 wrote it (a committed fixture), open position and outbox included', async () => {
    const fixture = JSON.parse(readFileSync(resolve(__dirname, '../e2e/fixtures/checkpoint-v1.json'), 'utf8')) as { key: [string, string]; record: unknown };
    const t = await fresh();
    await t.store.close();
    await tamper(t.path, 'checkpoints', fixture.key, fixture.record);
    const store = await t.reopen();
    const cp = store.readCheckpoint('trend', 'BTC/USDT');
    // Migrated to v2 on read: a v1 signal predates position management, so nothing of it is managed.
    expect(cp).toMatchObject({ version: 2, lastTimestamp: T0 + 12 * MIN, state: { partials: { profit: [10], loss: [] }, lastAskedAt: T0 + 5 * MIN, managed: null } });
    expect(cp!.state.signal).toMatchObject({ id: 'trend:BTC/USDT:1704067500000', position: 'long', pendingAt: T0 + 5 * MIN });
    expect(cp!.events.map((e) => e.eventId)).toEqual(['trend|BTC/USDT|trend:BTC/USDT:1704067500000|opened']);
    expect(restoreFrom(store)('trend', 'BTC/USDT')).toEqual({ state: cp!.state, lastTimestamp: T0 + 12 * MIN });
    expect(t.reports).toEqual([]);
  });

  it('quarantines bytes that cannot even be decoded, keeping the raw bytes', async () => {
    const t = await fresh();
    await t.store.close();
    const bytes = Buffer.from([0xc1, 0xc1, 0xff, 0x00]);
    await tamper(t.path, 'checkpoints', ['sma', 'BTC/USDT'], bytes, true);
    const store = await t.reopen();
    expect(store.readCheckpoint('sma', 'BTC/USDT')).toBeUndefined();
    expect(t.reports).toHaveLength(1);
    expect(t.reports[0]!.reason).toMatch(/undecodable/);
    expect(Buffer.from(t.reports[0]!.raw as Uint8Array)).toEqual(bytes);
    expect(Buffer.from(store.quarantined()[0]!.raw as Uint8Array)).toEqual(bytes);
  });

  it('keeps working when the quarantine reporter itself throws', async () => {
    const dir = await tempDir();
    defer(dir.cleanup);
    await tamper(dir.path, 'checkpoints', ['sma', 'BTC/USDT'], { version: 1 });
    const store = openStore({
      path: dir.path,
      onQuarantine: () => {
        throw new Error('reporter down');
      },
    });
    defer(() => store.close());
    expect(store.readCheckpoint('sma', 'BTC/USDT')).toBeUndefined();
    expect(store.quarantined()).toHaveLength(1);
  });

  it('works the same with noSync', async () => {
    const t = await fresh({ noSync: true });
    t.store.writeCheckpoint('sma', 'BTC/USDT', { state: opened, lastTimestamp: T0, events: [openedEvent] });
    const store = await t.reopen();
    expect(store.readCheckpoint('sma', 'BTC/USDT')?.state).toEqual(opened);
  });

  it('rejects bad options, naming the field', () => {
    expect(() => openStore({ path: '' })).toThrow(/openStore: field 'path'/);
  });
});

describe('lane progress (writeCut)', () => {
  const idleAt = (asked: number | null): LaneState => ({ signal: null, partials: { profit: [], loss: [] }, lastAskedAt: asked, managed: null });

  it('applies a lane\'s progress to its checkpoint on read, across a reopen; a whole write of the lane supersedes it', async () => {
    const t = await fresh();
    t.store.writeCut(
      [
        { strategy: 'sma', symbol: 'BTC/USDT', checkpoint: { state: opened, lastTimestamp: T0, events: [openedEvent] } },
        { strategy: 'sma', symbol: 'ETH/USDT', checkpoint: { state: idleAt(null), lastTimestamp: T0, events: [] } },
      ],
      [],
    );
    t.store.writeCut([], [{ strategy: 'sma', symbol: 'ETH/USDT', lastTimestamp: T0 + 9 * MIN, lastAskedAt: T0 + 5 * MIN }]);
    const store = await t.reopen();
    expect(store.readCheckpoint('sma', 'ETH/USDT')).toEqual({ version: 2, state: idleAt(T0 + 5 * MIN), lastTimestamp: T0 + 9 * MIN, events: [] });
    expect(store.readCheckpoint('sma', 'BTC/USDT')).toEqual({ version: 2, state: opened, lastTimestamp: T0, events: [openedEvent] });
    expect(store.checkpoints().map((c) => c.checkpoint.lastTimestamp)).toEqual([T0, T0 + 9 * MIN]);
    // Written whole again (say a fresh start at an earlier candle): the older progress no longer applies.
    store.writeCut([{ strategy: 'sma', symbol: 'ETH/USDT', checkpoint: { state: idleAt(null), lastTimestamp: T0 + 2 * MIN, events: [] } }], []);
    expect(store.readCheckpoint('sma', 'ETH/USDT')!.lastTimestamp).toBe(T0 + 2 * MIN);
    expect(t.reports).toEqual([]);
  });

  it('quarantines unreadable progress and falls back to the checkpoint (the lane re-runs from there)', async () => {
    const t = await fresh();
    t.store.writeCheckpoint('sma', 'BTC/USDT', { state: idleAt(null), lastTimestamp: T0, events: [] });
    await t.store.close();
    await tamper(t.path, 'progress', ['sma', 'BTC/USDT'], [1, 'later', null]);
    const store = await t.reopen();
    expect(store.readCheckpoint('sma', 'BTC/USDT')!.lastTimestamp).toBe(T0);
    expect(t.reports.map((r) => [r.db, r.reason])).toEqual([['progress', expect.stringMatching(/progress of checkpoint of strategy 'sma' on BTC\/USDT: field '1'/)]]);
  });

  it('refuses progress that is not an instant, naming the lane, and writes nothing of the cut', async () => {
    const t = await fresh();
    expect(() =>
      t.store.writeCut(
        [{ strategy: 'sma', symbol: 'ETH/USDT', checkpoint: { state: idleAt(null), lastTimestamp: T0, events: [] } }],
        [{ strategy: 'sma', symbol: 'BTC/USDT', lastTimestamp: Number.NaN, lastAskedAt: null }],
      ),
    ).toThrow(/progress of strategy 'sma' on BTC\/USDT: not storable/);
    expect(t.store.checkpoints()).toEqual([]);
  });
});

describe('candle cache', () => {
  it('range-scans candles in time order, per symbol and interval, across chunks', async () => {
    const t = await fresh();
    const candles = Array.from({ length: 2500 }, (_, i) => candleAt(i));
    // Written out of order and in two batches: the keys order them.
    t.store.candles.putCandles('BTC/USDT', '1m', candles.slice(1200));
    t.store.candles.putCandles('BTC/USDT', '1m', candles.slice(0, 1200));
    t.store.candles.putCandles('ETH/USDT', '1m', [candleAt(5)]);
    t.store.candles.putCandles('BTC/USDT', '5m', [candleAt(5)]);

    const store = await t.reopen();
    expect([...store.candles.readCandles('BTC/USDT', '1m', T0, T0 + 2500 * MIN)]).toEqual(candles);
    expect([...store.candles.readCandles('BTC/USDT', '1m', T0 + 10 * MIN, T0 + 13 * MIN)]).toEqual(candles.slice(10, 13));
    expect([...store.candles.readCandles('ETH/USDT', '1m', T0, T0 + 2500 * MIN)]).toEqual([candleAt(5)]);
    expect([...store.candles.readCandles('BTC/USDT', '5m', T0, T0 + 2500 * MIN)]).toEqual([candleAt(5)]);
    expect([...store.candles.readCandles('XRP/USDT', '1m', T0, T0 + 2500 * MIN)]).toEqual([]);
  });

  it('remembers fetched ranges, merging the ones that touch; gaps inside them count as fetched', async () => {
    const t = await fresh();
    const c = t.store.candles;
    c.putCandles('BTC/USDT', '1m', [candleAt(0), candleAt(1)], { from: T0, to: T0 + 10 * MIN });
    c.putCandles('BTC/USDT', '1m', [candleAt(20)], { from: T0 + 20 * MIN, to: T0 + 30 * MIN });
    expect(c.missingRanges('BTC/USDT', '1m', T0, T0 + 40 * MIN)).toEqual([
      { from: T0 + 10 * MIN, to: T0 + 20 * MIN },
      { from: T0 + 30 * MIN, to: T0 + 40 * MIN },
    ]);
    c.putCandles('BTC/USDT', '1m', [], { from: T0 + 10 * MIN, to: T0 + 20 * MIN });
    const store = await t.reopen();
    expect(store.candles.coveredRanges('BTC/USDT', '1m', 0, Infinity)).toEqual([{ from: T0, to: T0 + 30 * MIN }]);
    expect(store.candles.missingRanges('BTC/USDT', '1m', T0 + 5 * MIN, T0 + 25 * MIN)).toEqual([]);
    expect(store.candles.missingRanges('ETH/USDT', '1m', T0, T0 + MIN)).toEqual([{ from: T0, to: T0 + MIN }]);
  });

  it('quarantines a corrupted cached candle, reports its slot and marks it as not fetched', async () => {
    const t = await fresh();
    const candles = [0, 1, 2, 3].map(candleAt);
    t.store.candles.putCandles('BTC/USDT', '1m', candles, { from: T0, to: T0 + 4 * MIN });
    await t.store.close();
    // high below low: a valid tuple, an invalid candle.
    await tamper(t.path, 'candles', ['BTC/USDT', '1m', T0 + 2 * MIN], [1, 100, 90, 95, 96, 1]);
    const store = await t.reopen();

    const invalid: number[] = [];
    expect([...store.candles.readCandles('BTC/USDT', '1m', T0, T0 + 4 * MIN, (ts) => invalid.push(ts))]).toEqual([
      candles[0],
      candles[1],
      candles[3],
    ]);
    expect(invalid).toEqual([T0 + 2 * MIN]);
    expect(t.reports).toHaveLength(1);
    expect(t.reports[0]).toMatchObject({ db: 'candles', key: ['BTC/USDT', '1m', T0 + 2 * MIN], raw: [1, 100, 90, 95, 96, 1] });
    expect(t.reports[0]!.reason).toMatch(/BTC\/USDT 1m at 2024-01-01T00:02:00.000Z.*field 'high'/);
    expect(store.candles.missingRanges('BTC/USDT', '1m', T0, T0 + 4 * MIN)).toEqual([{ from: T0 + 2 * MIN, to: T0 + 3 * MIN }]);
  });

  it('quarantines an unreadable range record, which then counts as not fetched', async () => {
    const t = await fresh();
    t.store.candles.putCandles('BTC/USDT', '1m', [candleAt(0)], { from: T0, to: T0 + MIN });
    await t.store.close();
    await tamper(t.path, 'ranges', ['BTC/USDT', '1m', T0 + 5 * MIN], [1, 'soon']);
    const store = await t.reopen();
    expect(store.candles.missingRanges('BTC/USDT', '1m', T0, T0 + 6 * MIN)).toEqual([{ from: T0 + MIN, to: T0 + 6 * MIN }]);
    expect(t.reports).toMatchObject([{ db: 'ranges', key: ['BTC/USDT', '1m', T0 + 5 * MIN] }]);
  });
});
