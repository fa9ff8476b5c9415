import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { ccxtCandles } from '../../src/ccxt.js';
import { openStore, type LmdbStore } from '../../src/lmdb.js';
import { collect, waitFor } from '../support/collect.js';
import { mountTmpfs, type Tmpfs } from '../support/tmpfs.js';
import { at, config, SYMBOLS, startLive } from '../support/live-harness.js';
import { closedBefore, END, exchanges, RESTART, split } from './exchange-node.js';

/*
 * A transient full disk under the candle cache, for real: the cache lives on a small tmpfs that a filler file fills
 * to the last byte and then frees. (The node's checkpoints stay on the ordinary disk: a full disk under them is a
 * different fault, which stops the node by design.)
 */
const exchange = exchanges();

const tmpfs = mountTmpfs(8 * 1024);
const unavailable = 'unavailable' in tmpfs ? tmpfs.unavailable : null;
if (unavailable !== null) console.warn(`skipping the disk-full tests: ${unavailable}`);
const disk = tmpfs as Tmpfs;

const opened: LmdbStore[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close();
  if (unavailable === null) disk.free();
});
afterAll(() => {
  if (unavailable === null) disk.unmount();
});

let n = 0;
function cacheStore(): LmdbStore {
  const s = openStore({ path: `${disk.path}/cache-${n++}`, noSync: true });
  opened.push(s);
  return s;
}

/** `store` with its candle cache swapped for `cache`'s (checkpoints stay where they were). */
function withCache(store: LmdbStore, cache: LmdbStore): LmdbStore {
  return new Proxy(store, { get: (target, key) => (key === 'candles' ? cache.candles : Reflect.get(target, key, target)) });
}

/** Every slot a covered range of the cache claims must hold the exchange's candle (the markets here have no gaps). */
function holes(cache: LmdbStore, symbol: string, expected: (from: number, to: number) => Candle[]): string[] {
  const out: string[] = [];
  for (const r of cache.candles.coveredRanges(symbol, '1m', 0, Infinity)) {
    const got = [...cache.candles.readCandles(symbol, '1m', r.from, r.to)];
    const want = expected(r.from, r.to);
    if (got.length !== want.length) out.push(`${symbol} [${new Date(r.from).toISOString()}, ${new Date(r.to).toISOString()}): ${got.length} of ${want.length} candles`);
  }
  return out;
}

describe.skipIf(unavailable !== null)('a transient full disk under the candle cache', () => {
  it('live: failed batches are reported and stay uncovered; a restart warms up over them from the exchange', async () => {
    const x = await exchange();
    const cache = cacheStore();
    const store = withCache(x.store, cache);
    const node = startLive(x.server, store, { since: at(0) });
    await node.processed(RESTART - 1);
    disk.fill();
    x.server.now = closedBefore(170);
    await node.processed(169);
    disk.free();
    x.server.now = closedBefore(END);
    await node.processed(END - 1);
    const events = await node.finish();
    const cacheErrors = split(events).errors;
    expect(cacheErrors.length).toBeGreaterThan(0);
    for (const e of cacheErrors) expect(e.message).toMatch(/^caching live candles of .* failed \(the run goes on\): .*(No space left|ENOSPC|MDB_MAP_FULL)/i);
    for (const symbol of SYMBOLS) expect(holes(cache, symbol, (f, t) => x.server.closedCandles(symbol, f, t))).toEqual([]);
    // The slots that were not written are not covered: a warm-up over them asks the exchange again.
    const missing = SYMBOLS.flatMap((s) => cache.candles.missingRanges(s, '1m', at(RESTART), at(END)));
    expect(missing.length).toBeGreaterThan(0);
    const restarted = startLive(x.server, store, { since: at(0) });
    await waitFor(() => restarted.monitor.phase === 'running', 'the restarted node warmed up');
    await restarted.finish();
    const warmup = at(END - config.historyCandles);
    for (const symbol of SYMBOLS) {
      expect(cache.candles.missingRanges(symbol, '1m', warmup, at(END))).toEqual([]);
      expect([...cache.candles.readCandles(symbol, '1m', warmup, at(END))]).toEqual(x.server.closedCandles(symbol, warmup, at(END)));
    }
  });

  it('history: a page that cannot be cached still goes on, reported, and is not recorded as fetched', async () => {
    const x = await exchange();
    const cache = cacheStore();
    const symbol = SYMBOLS[0]!;
    const run = (errors: string[]) =>
      collect(
        ccxtCandles({
          exchange: x.server.exchange({ timeout: 300, rateLimit: 1 }),
          symbol,
          interval: '1m',
          since: at(-config.historyCandles),
          until: at(100),
          clock: () => x.server.now,
          store: cache,
          pageSize: 50,
          retry: { baseMs: 1 },
          onCacheError: (s, from, err) => errors.push(`${s} ${from} ${(err as Error).message}`),
        }),
      );
    const want = x.server.closedCandles(symbol, at(-config.historyCandles), at(100));
    // One page cached, then the disk is full for the rest.
    await collect(ccxtCandles({ exchange: x.server.exchange({ timeout: 300 }), symbol, interval: '1m', since: at(-config.historyCandles), until: at(-70), clock: () => x.server.now, store: cache }));
    disk.fill();
    const errors: string[] = [];
    const got = await run(errors);
    expect(got.map((c) => c.candle)).toEqual(want);
    expect(errors.length).toBeGreaterThan(0);
    expect(holes(cache, symbol, (f, t) => x.server.closedCandles(symbol, f, t))).toEqual([]);
    disk.free();
    const asked = x.server.klineRequests().length;
    const again = await run([]);
    expect(again.map((c) => c.candle)).toEqual(want);
    expect(x.server.klineRequests().length).toBeGreaterThan(asked);
    expect(cache.candles.missingRanges(symbol, '1m', at(-config.historyCandles), at(100))).toEqual([]);
  });
});
