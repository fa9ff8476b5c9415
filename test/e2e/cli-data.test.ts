import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type Key } from 'lmdb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { CandleStore } from '../../src/lmdb.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { waitFor } from '../support/collect.js';
import { CLI, ROOT, runCli, sharedFile, type CliResult } from './run-cli.js';

// `tickflow data` against the local exchange: real processes, ccxt's real binance client pointed at the server
// through --exchange-options (its urls and markets), real LMDB stores in a temp folder.

const ethFile = sharedFile('ETH_BTC-1m.json');
const xmrFile = sharedFile('XMR_BTC-1m.json');
const haveData = ethFile !== null && xmrFile !== null;

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rows = (path: string): Candle[] =>
  (JSON.parse(readFileSync(path, 'utf8')) as number[][]).map(([timestamp, open, high, low, close, volume]) => ({ timestamp: timestamp!, open: open!, high: high!, low: low!, close: close!, volume: volume! }));

/** The CLI as a child process, without blocking this process's event loop (the exchange runs in it). */
function runCliAsync(args: readonly string[]): { done: Promise<CliResult>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

/** The options that point ccxt's binance at `server` (every API url) with its markets set: no markets request. */
function exchangeOptions(server: BinanceServer, name: string): string {
  const ex = server.exchange();
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify({ urls: { api: ex.urls['api'] }, markets: ex.markets, timeout: 60_000 }));
  return file;
}

function readStore(path: string, symbol: string): { candles: Candle[]; missing: unknown[] } {
  const store = CandleStore.open({ path, readOnly: true });
  try {
    const candles = [...store.readCandles(symbol, '1m', 0, Infinity)];
    const missing = candles.length === 0 ? [] : store.missingRanges(symbol, '1m', candles[0]!.timestamp, candles.at(-1)!.timestamp + 60_000);
    return { candles, missing };
  } finally {
    void store.close();
  }
}

const oneLine = (r: CliResult) => {
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  return r.stderr.trim();
};

describe.skipIf(!haveData)('tickflow data on real candles from the local exchange', () => {
  let eth: Candle[];
  let xmr: Candle[];
  let server: BinanceServer;
  let options: string;
  const data = join(tmp, 'store');

  beforeAll(async () => {
    eth = rows(ethFile!);
    xmr = rows(xmrFile!);
    const last = Math.max(eth.at(-1)!.timestamp, xmr.at(-1)!.timestamp);
    server = await startBinanceServer({
      now: last + 10 * 60_000,
      markets: { 'ETH/BTC': { from: eth[0]!.timestamp, candles: eth }, 'XMR/BTC': { from: xmr[0]!.timestamp, candles: xmr } },
    });
    options = exchangeOptions(server, 'exchange.json');
  });
  afterAll(async () => {
    expect(server.strays()).toEqual([]);
    await server.close();
  });

  const download = (store: string, extra: string[] = []) =>
    runCliAsync(['data', 'download', '--exchange', 'binance', '--exchange-options', options, '--symbols', 'ETH/BTC,XMR/BTC', '--since', '2018-01-20', '--until', '2018-01-31', '--data', store, ...extra]);

  it('download, then backtest --data gives the events of the same candles read from the JSON files', async () => {
    const r = await download(data).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ETH/BTC 1m: 14,397 candles, 2018-01-20T04:53 → 2018-01-30T04:50; 14,397 downloaded, 0 already stored');
    expect(readStore(data, 'ETH/BTC').candles).toEqual(eth);
    expect(readStore(data, 'XMR/BTC').candles).toEqual(xmr);

    const strategy = ['--strategy', 'examples/sma-cross.mjs', '--no-progress'];
    const fromStore = join(tmp, 'store-events.jsonl');
    const fromFiles = join(tmp, 'file-events.jsonl');
    expect(runCli(['backtest', '--data', data, '--symbol', 'ETH/BTC', '--symbol', 'XMR/BTC', ...strategy, '--events', fromStore]).code).toBe(0);
    expect(runCli(['backtest', '--candles', ethFile!, '--symbol', 'ETH/BTC', '--candles', xmrFile!, '--symbol', 'XMR/BTC', ...strategy, '--events', fromFiles]).code).toBe(0);
    const events = readFileSync(fromFiles, 'utf8');
    expect(events.split('\n').filter((l) => l.includes('"action":"closed"')).length).toBeGreaterThan(10);
    expect(readFileSync(fromStore, 'utf8')).toBe(events);

    // walker reads the store the same way.
    const walker = runCli(['walker', '--data', data, '--symbol', 'ETH/BTC', '--strategy', 'examples/sma-cross.mjs', '--strategy', 'examples/rsi-reversion.mjs', '--no-progress']);
    expect(walker.stderr).toBe('');
    expect(walker.stdout).toContain('Walker over ETH/BTC: 2 strategies');
  });

  it('a second download of the same span asks the exchange for nothing new', async () => {
    const before = server.klineRequests().length;
    const r = await download(data).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ETH/BTC 1m: 14,397 candles, 2018-01-20T04:53 → 2018-01-30T04:50; 0 downloaded, 14,397 already stored');
    // Only the never-fetched edges (before the first candle, after the last) are asked again.
    expect(server.klineRequests().length - before).toBeLessThanOrEqual(4);
  });

  it('list shows spans, candles, gaps and sizes; export and import round-trip the candles', async () => {
    const list = runCli(['data', 'list', '--data', data]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Symbol\s+Interval\s+From\s+To\s+Candles\s+Gaps \(slots\)\s+Not fetched\s+Size$/);
    expect(lines[1]).toMatch(/^ETH\/BTC\s+1m\s+2018-01-20 04:53\s+2018-01-30 04:50\s+14,397\s+1 \(1\)\s+-\s+675\.0 KiB$/);
    expect(lines[2]).toMatch(/^XMR\/BTC\s+1m\s+2018-01-20 04:52\s+2018-01-30 04:48\s+12,519/);
    const json = JSON.parse(runCli(['data', 'list', '--data', data, '--symbol', 'ETH/BTC', '--json']).stdout) as Array<{ candles: number; gaps: { slots: number } }>;
    expect(json).toMatchObject([{ symbol: 'ETH/BTC', interval: '1m', candles: 14_397, gaps: { runs: 1, slots: 1 }, missing: [] }]);

    const out = join(tmp, 'eth-export.json');
    const exported = runCli(['data', 'export', '--data', data, '--symbol', 'ETH/BTC', '--out', out]);
    expect(exported.stdout).toBe(`ETH/BTC 1m: exported 14,397 candles to ${out}\n`);
    expect(rows(out)).toEqual(eth);
    const csv = join(tmp, 'eth-part.csv');
    runCli(['data', 'export', '--data', data, '--symbol', 'ETH/BTC', '--from', '2018-01-21', '--to', '2018-01-22T00:00', '--out', csv]);
    const csvLines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(csvLines[0]).toBe('timestamp,open,high,low,close,volume');
    const day = eth.filter((c) => c.timestamp >= Date.UTC(2018, 0, 21) && c.timestamp < Date.UTC(2018, 0, 22));
    expect(csvLines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(day.map((c) => c.timestamp));

    const other = join(tmp, 'imported');
    const imported = runCli(['data', 'import', csv, '--symbol', 'ETH/BTC', '--data', other]);
    expect(imported.stdout).toBe(`ETH/BTC 1m: imported ${day.length.toLocaleString('en-US')} candles from ${csv}, 2018-01-21T00:00 → 2018-01-21T23:59, into ${other}\n`);
    expect(readStore(other, 'ETH/BTC').candles).toEqual(day);
  });

  it('a download killed mid-way resumes without gaps or duplicates', async () => {
    const store = join(tmp, 'interrupted');
    // Three pages answered, the fourth never: the process is killed while it waits.
    server.inject({ kind: 'delay', ms: 0 }, { times: 3 });
    server.inject({ kind: 'hang' }, { times: 1 });
    const first = download(store, ['--no-progress']);
    await waitFor(() => server.requests.some((r) => r.fault === 'hang'), 'the download to reach the hanging page', 60_000);
    first.kill();
    const killed = await first.done;
    expect(killed.code).toBe(null);
    const partial = readStore(store, 'ETH/BTC');
    expect(partial.candles).toEqual(eth.slice(0, partial.candles.length));
    expect(partial.candles.length).toBeGreaterThanOrEqual(2_000);
    expect(partial.candles.length).toBeLessThan(eth.length);
    const resumedFrom = partial.candles.at(-1)!.timestamp + 60_000;

    const before = server.klineRequests().length;
    const second = await download(store).done;
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`ETH/BTC 1m: 14,397 candles, 2018-01-20T04:53 → 2018-01-30T04:50; ${(eth.length - partial.candles.length).toLocaleString('en-US')} downloaded, ${partial.candles.length.toLocaleString('en-US')} already stored`);
    const eth2 = server.klineRequests().slice(before).filter((r) => r.query.symbol === 'ETHBTC');
    expect(Number(eth2[0]!.query.startTime)).toBe(resumedFrom);
    const whole = readStore(store, 'ETH/BTC');
    expect(whole.candles).toEqual(eth);
    expect(whole.missing).toEqual([]);
    expect(readStore(store, 'XMR/BTC').candles).toEqual(xmr);
  });

  it('an unknown symbol gets one clear line, from the exchange and from the store', async () => {
    const r = await runCliAsync(['data', 'download', '--exchange', 'binance', '--exchange-options', options, '--symbols', 'ETH/BTC,NOPE/BTC', '--since', '2018-01-20', '--data', join(tmp, 'never')]).done;
    expect(oneLine(r)).toBe('tickflow: --symbols: NOPE/BTC is not a market of binance (markets look like ETH/BTC, XMR/BTC)');
    expect(oneLine(runCli(['backtest', '--data', data, '--symbol', 'NOPE/BTC', '--strategy', 'examples/sma-cross.mjs']))).toBe(
      `tickflow: symbol NOPE/BTC is not in the candle store ${data} (it holds ETH/BTC, XMR/BTC)`,
    );
  });
});

describe('tickflow data: bad input gets one clear line', () => {
  const bad = join(tmp, 'bad.json');
  const good = join(tmp, 'good.json');
  const store = join(tmp, 'bad-store');
  beforeAll(() => {
    const t0 = Date.UTC(2024, 0, 1);
    const row = (i: number, low = 99) => `[${t0 + i * 60_000}, 100, 101, ${low}, 100.5, 3]`;
    writeFileSync(good, `[\n${[0, 1, 2, 3].map((i) => row(i)).join(',\n')}\n]\n`);
    writeFileSync(bad, `[\n${[0, 1, 2, 3].map((i) => row(i, i === 2 ? 100.7 : 99)).join(',\n')}\n]\n`);
  });
  afterEach(() => rmSync(store, { recursive: true, force: true }));

  it('a bad candle on import names the file, line, symbol, time and field, and writes nothing', () => {
    const r = runCli(['data', 'import', bad, '--symbol', 'GEN/USD', '--data', store]);
    expect(oneLine(r)).toMatch(/^tickflow: .*bad\.json line 4: invalid candle for GEN\/USD at 2024-01-01T00:02:00\.000Z \(1704067320000\): .*low.*100\.7/);
    expect(runCli(['data', 'list', '--data', store]).stderr).toMatch(/bad-store holds no candle store/);
  });

  it.each([
    [['data', 'download', '--symbols', 'BTC/USDT', '--since', '2024-01-01'], 'tickflow: --exchange: is required: a ccxt exchange id (e.g. binance)'],
    [['data', 'download', '--exchange', 'binance', '--symbols', 'BTC/USDT', '--since', 'yesterday'], "tickflow: --since: expected an ISO date (2024-01-01, 2024-01-01T12:00) or epoch ms, got 'yesterday'"],
    [['data', 'download', '--exchange', 'binance', '--symbols', 'BTC/USDT,BTC/USDT', '--since', '2024-01-01'], 'tickflow: --symbols: symbol BTC/USDT is given twice'],
    [['data', 'download', '--exchange', 'binance', '--symbols', 'A/B', '--since', '2024-01-02', '--until', '2024-01-01'], 'tickflow: --until: must be after --since'],
    [['data', 'download', '--exchange', 'nosuch', '--symbols', 'A/B', '--since', '2024-01-01'], 'tickflow: --exchange nosuch: not a ccxt exchange id (e.g. binance, kraken, coinbase)'],
    [['data', 'export', '--symbol', 'X'], 'tickflow: --out: is required: the file to write (.json or .csv, or - for stdout as JSON)'],
    [['data', 'import', '--symbol', 'X'], 'tickflow: FILE: give the candle file to import: tickflow data import FILE --symbol SYM'],
    [['data', 'import', 'a.json', 'b.json', '--symbol', 'X'], "tickflow: unexpected argument 'b.json'"],
    [['data', 'list', '--frob'], "tickflow: Unknown option '--frob'"],
    [['data', 'frob'], "tickflow: data: unknown subcommand 'frob' (expected download, list, import or export)"],
    [['backtest', '--data', 'x', '--candles', 'f.json', '--symbol', 'S', '--strategy', 'examples/sma-cross.mjs'], 'tickflow: --data: reads the candle store: drop --candles (or drop --data to read the files)'],
    [['backtest', '--data', 'x', '--strategy', 'examples/sma-cross.mjs'], 'tickflow: --symbol: give the symbols to read from the candle store: --data DIR --symbol SYM [--symbol SYM2 …]'],
    [['optimize', '--data', 'x', '--strategy', 'examples/sma-cross.mjs'], 'tickflow: --symbol: give the symbols to read from the candle store: --data DIR --symbol SYM [--symbol SYM2 …]'],
  ])('%j', (args, message) => {
    expect(oneLine(runCli(args))).toBe(message);
  });

  it('a missing store, a damaged store file and a damaged record are named', async () => {
    const run = (dir: string) => runCli(['backtest', '--data', dir, '--symbol', 'GEN/USD', '--strategy', 'examples/sma-cross.mjs', '--no-progress']);
    expect(oneLine(run(join(tmp, 'nowhere')))).toBe(`tickflow: ${join(tmp, 'nowhere')} holds no candle store: fill it with 'tickflow data download' or 'tickflow data import' (or give --data DIR)`);

    expect(runCli(['data', 'import', good, '--symbol', 'GEN/USD', '--data', store]).code).toBe(0);
    expect(run(store).code).toBe(0);
    const root = open<unknown, Key>({ path: store, maxDbs: 4 });
    const days = root.openDB<Buffer, Key>({ name: 'days', encoding: 'binary' });
    const key = ['GEN/USD', '1m', Date.UTC(2024, 0, 1)];
    const raw = Buffer.from(days.getBinary(key)!);
    raw.writeDoubleLE(-5, 16 + (5 * 4 + 1) * 8); // candle 2's volume
    days.putSync(key, raw);
    await root.close();
    expect(oneLine(run(store))).toBe(
      `tickflow: candle store ${store} is damaged: record GEN/USD 1m 2024-01-01: candle 2 of 4 (2024-01-01T00:01:00.000Z): field 'volume' is -5: must be finite and ≥ 0. Delete the series and download or import it again`,
    );

    truncateSync(join(store, 'data.mdb'), 5000);
    expect(oneLine(run(store))).toMatch(new RegExp(`^tickflow: store ${store} is damaged: .*data\\.mdb is 5000 bytes`));
  });
});

describe('tickflow --version and data --help', () => {
  it('prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(runCli(['--version']).stdout).toBe(`tickflow ${version}\n`);
  });
});
