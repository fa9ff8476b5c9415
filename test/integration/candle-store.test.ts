import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { open, type Key } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { candleFiles } from '../../src/sources/files.js';
import { CandleStore, storeCandles, summarizeSeries } from '../../src/lmdb.js';
import { collect } from '../support/collect.js';
import { series, trend } from '../support/fixtures.js';
import { tempDir } from '../support/temp-store.js';

const SHARED = resolve(__dirname, '../../../shared/data/freqtrade');
const shared = (name: string) => (existsSync(resolve(SHARED, name)) ? resolve(SHARED, name) : null);
const rows = (path: string): Candle[] =>
  (JSON.parse(readFileSync(path, 'utf8')) as number[][]).map(([timestamp, open, high, low, close, volume]) => ({ timestamp: timestamp!, open: open!, high: high!, low: low!, close: close!, volume: volume! }));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function freshStore(): Promise<{ path: string; store: CandleStore }> {
  const dir = await tempDir('tickflow-candles-');
  const store = CandleStore.open({ path: dir.path, noSync: true });
  cleanups.push(async () => {
    await store.close();
    await dir.cleanup();
  });
  return { path: dir.path, store };
}

describe('candle store', () => {
  it.skipIf(shared('ETH_BTC-1m.json') === null || shared('XMR_BTC-1m.json') === null)(
    'replays real data with the same events as the JSON files it was filled from',
    async () => {
      const { path, store } = await freshStore();
      const files = [
        { path: shared('ETH_BTC-1m.json')!, symbol: 'ETH/BTC' },
        { path: shared('XMR_BTC-1m.json')!, symbol: 'XMR/BTC' },
      ];
      for (const f of files) {
        const candles = rows(f.path);
        // Written in uneven slices, out of order: records are merged per day.
        store.putCandles(f.symbol, '1m', candles.slice(5000));
        store.putCandles(f.symbol, '1m', candles.slice(0, 5000));
      }
      const fromFiles = await collect(backtest({ source: candleFiles(files), strategies: [trend] }));
      const fromStore = await collect(backtest({ source: storeCandles({ path, symbols: ['XMR/BTC', 'ETH/BTC'] }), strategies: [trend] }));
      expect(fromFiles.filter((e) => e.action === 'opened').length).toBeGreaterThan(5);
      expect(fromStore).toEqual(fromFiles);
    },
  );

  it('replays a time range, and gives the same candles by subscription and by the fast path', async () => {
    const { path, store } = await freshStore();
    const candles = series(3 * 1440, 0);
    store.putCandles('X', '1m', candles, { from: candles[0]!.timestamp, to: candles.at(-1)!.timestamp + 60_000 });
    const from = candles[100]!.timestamp;
    const to = candles[2900]!.timestamp;
    const source = storeCandles({ path, symbols: ['X'], from, to });
    const got = await collect(source);
    expect(got.map((c) => c.candle)).toEqual(candles.slice(100, 2900));
    expect(source.plan).toMatchObject({ from, to: candles[2899]!.timestamp, series: [{ symbol: 'X', interval: '1m' }] });
  });

  it('rejects a bad candle on write, naming symbol, time and field, and writes nothing of the batch', async () => {
    const { store } = await freshStore();
    const candles = series(10, 0);
    const bad = [...candles.slice(0, 5), { ...candles[5]!, low: candles[5]!.open * 2 }, ...candles.slice(6)];
    expect(() => store.putCandles('X', '1m', bad, undefined, (i) => `import.json line ${i + 2}`)).toThrow(
      /import\.json line 7: invalid candle for X at 2024-01-01T00:05:00\.000Z .*low/,
    );
    const offGrid = [{ ...candles[0]!, timestamp: candles[0]!.timestamp + 1_000 }];
    expect(() => store.putCandles('X', '5m', offGrid)).toThrow(/candle 1 of 1: invalid candle for X .*'timestamp': not on the 5m grid/);
    expect(store.series()).toEqual([]);
  });

  it('records gaps inside fetched ranges apart from ranges never fetched', async () => {
    const { store } = await freshStore();
    const candles = series(600, 0);
    const t = (i: number) => candles[i]!.timestamp;
    // Fetched [0, 300) with a gap at 100..109; fetched [400, 600); 300..399 never fetched.
    store.putCandles('X', '1m', [...candles.slice(0, 100), ...candles.slice(110, 300)], { from: t(0), to: t(300) });
    store.putCandles('X', '1m', candles.slice(400), { from: t(400), to: t(599) + 60_000 });
    const s = summarizeSeries(store, { symbol: 'X', interval: '1m' })!;
    expect(s).toMatchObject({ candles: 490, first: t(0), last: t(599), gaps: { runs: 1, slots: 10, longest: { from: t(100), to: t(110) } } });
    expect(s.missing).toEqual([{ from: t(300), to: t(400) }]);
    expect(s.bytes).toBe(16 + 490 * 48);
  });

  it('names the unknown symbol, the ambiguous interval and the missing store', async () => {
    const { path, store } = await freshStore();
    store.putCandles('X', '1m', series(10, 0));
    store.putCandles('X', '5m', series(50, 0).filter((c) => c.timestamp % 300_000 === 0));
    expect(() => storeCandles({ path, symbols: ['Y'] })).toThrow(`symbol Y is not in the candle store ${path} (it holds X)`);
    expect(() => storeCandles({ path, symbols: ['X'] })).toThrow(`symbol X has 1m, 5m candles in the candle store ${path}: say which with --interval`);
    expect(() => storeCandles({ path, symbols: ['X'], interval: '1h' })).toThrow(`symbol X has no 1h candles in the candle store ${path} (it has 1m, 5m)`);
    expect(() => storeCandles({ path: `${path}/nothing`, symbols: ['X'] })).toThrow(/nothing holds no candle store: fill it with 'tickflow data download'/);
  });

  it('fails a replay over a damaged record with an error naming the series, the day, the candle and the field', async () => {
    const { path, store } = await freshStore();
    const candles = series(4 * 1440, 0);
    store.putCandles('X', '1m', candles);
    await store.close();
    // Damage the second day's record behind the store's back: candle 3's high (column 2) becomes NaN.
    const root = open<unknown, Key>({ path, maxDbs: 4 });
    const days = root.openDB<Buffer, Key>({ name: 'days', encoding: 'binary' });
    const key = ['X', '1m', candles[1440]!.timestamp];
    const raw = Buffer.from(days.getBinary(key)!);
    raw.writeDoubleLE(NaN, 16 + (2 * 1440 + 2) * 8);
    days.putSync(key, raw);
    days.putSync(['X', '1m', candles[2880]!.timestamp], Buffer.from('not a record at all'));
    await root.close();
    const reopened = CandleStore.open({ path, readOnly: true });
    cleanups.push(() => reopened.close());
    await expect(collect(storeCandles({ path, symbols: ['X'] }))).rejects.toThrow(
      `candle store ${path} is damaged: record X 1m 2024-01-02: candle 3 of 1440 (2024-01-02T00:02:00.000Z): field 'high' is NaN: must be finite and ≥ max(open, close)`,
    );
    expect(() => reopened.readDay('X', '1m', candles[2880]!.timestamp)).toThrow(/record X 1m 2024-01-03: not a candle day record \(magic 0x20746f6e, expected 0x44434654\)/);
  });
});
