import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { runCli, runCliReadingOneLine } from './run-cli.js';

// Every user mistake in `backtest` and `walker`: exit code 2, one line on stderr, no stack trace, and no output file
// left behind (a rejected run writes nothing, or removes what it wrote).

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-mistakes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const input = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
type Row = [number, number, number, number, number, number];
let rows1m: Row[] = [];
let rows5m: Row[] = [];
const json = (rows: readonly (readonly number[])[]) => `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;
const SMA = 'examples/sma-cross.mjs';

beforeAll(async () => {
  const gen = async (interval: '1m' | '5m', count: number) =>
    (await lastValueFrom(syntheticCandles({ symbols: ['GEN/USD'], start: T0, count, interval, seed: 7 }).pipe(toArray()))).map(
      ({ candle: c }): Row => [c.timestamp, c.open, c.high, c.low, c.close, c.volume],
    );
  rows1m = await gen('1m', 3000);
  rows5m = await gen('5m', 600);
  input('gen-1m.json', json(rows1m));
  input('gen-5m.json', json(rows5m));
  input('seconds.csv', `timestamp,open,high,low,close,volume\n${rows1m.slice(0, 200).map(([t, ...r]) => [t / 1000, ...r].join(',')).join('\n')}\n`);
  input('off-grid.json', json(rows1m.map((r, i) => (i === 150 ? [r[0] + 1234, ...r.slice(1)] : r))));
  input('far.json', json([...rows1m.slice(0, 150), [8.64e15 + MIN, 1, 2, 0.5, 1.5, 1]]));
  // Invalid (high below open) and out-of-order candles near the end, after a run has written many events.
  input('bad-late.json', json(rows1m.map((r, i) => (i === 2900 ? [r[0], 100, 99, 98, 99.5, 1] : r))));
  input('unordered-late.json', json(rows1m.map((r, i) => (i === 2900 ? [rows1m[10]![0], ...r.slice(1)] : r))));
  input('always.mjs', [
    'export default { name: "always", interval: "1m", getSignal(ctx) {',
    '  const p = ctx.price;',
    '  return { position: "long", priceTakeProfit: p * 1.01, priceStopLoss: p * 0.99, minuteEstimatedTime: 30 };',
    '} };',
  ].join('\n'));
  input('throws-string.mjs', 'throw "boom";\n');
  input('getter.mjs', 'export default { name: "g", interval: "1m", get getSignal() { throw new Error("no getter today"); } };\n');
  input('proxy.mjs', 'export default new Proxy({}, { get() { throw 42; } });\n');
  input('tla-never.mjs', 'await new Promise(() => {});\nexport default {};\n');
  input('tla-held.mjs', 'await new Promise(() => { setInterval(() => {}, 60_000); });\nexport default {};\n');
  input('history.json', '{ "historyCandles": 1e12 }');
  input('vwap.json', '{ "avgPriceCandles": 1e9 }');
  input('stops.json', '{ "minStopLossDistancePercent": 30, "maxStopLossDistancePercent": 20 }');
  mkdirSync(join(tmp, 'a-folder'));
});

interface Mistake {
  readonly name: string;
  /** Arguments; `OUT` is replaced by a fresh, empty output folder, `IN/` by the inputs folder. */
  readonly args: readonly string[];
  readonly stderr: RegExp;
  /** Files to put in the output folder first (they must be all that is there afterwards). */
  readonly existing?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Linux-only paths (/proc, /dev/full) are skipped where they are absent. */
  readonly needs?: string;
}

const files = (name: string, ...more: string[]) => ['--candles', `IN/${name}`, '--symbol', 'GEN/USD', ...more];
const walker = (name: string, ...more: string[]) => ['walker', ...files(name, '--strategy', SMA, '--strategy', 'IN/always.mjs', ...more)];

const MISTAKES: readonly Mistake[] = [
  // Output paths, checked before the run.
  { name: '--demo --events into a missing folder', args: ['backtest', '--demo', '--events', 'OUT/missing/e.jsonl'], stderr: /--events .*missing\/e\.jsonl: the folder .*missing does not exist/ },
  { name: 'backtest --events into a missing folder', args: ['backtest', ...files('gen-1m.json', '--strategy', SMA, '--events', 'OUT/missing/e.jsonl')], stderr: /does not exist/ },
  { name: 'walker --events into a missing folder', args: [...walker('gen-1m.json', '--events', 'OUT/missing/e.jsonl')], stderr: /--events .*does not exist/ },
  { name: '--events on a folder', args: ['backtest', '--demo', '--events', 'OUT'], stderr: /--events .*: is a folder/ },
  { name: '--report on an existing file', args: ['backtest', '--demo', '--report', 'OUT/taken'], existing: ['taken'], stderr: /--report .*taken: exists and is not a folder/ },
  { name: 'walker --report on an existing file', args: [...walker('gen-1m.json', '--report', 'OUT/taken')], existing: ['taken'], stderr: /--report .*taken: exists and is not a folder/ },
  { name: '--report under a file', args: ['backtest', '--demo', '--report', 'OUT/taken/reports'], existing: ['taken'], stderr: /--report .*: cannot be made: .*taken is not a folder/ },
  { name: 'a report folder that cannot be made (under /proc)', args: ['backtest', '--demo', '--report', '/proc/tickflow-report'], needs: '/proc/self', stderr: /--report \/proc\/tickflow-report: (cannot make the folder \/proc\/tickflow-report \((ENOENT|EACCES)\)|\/proc is not writable)/ },
  { name: 'events on a full disk (/dev/full)', args: ['backtest', ...files('gen-1m.json', '--strategy', SMA, '--events', '/dev/full', '--report', 'OUT/report')], needs: '/dev/full', stderr: /^tickflow: writing events failed: ENOSPC: no space left on device/ },
  { name: 'walker: events on a full disk (/dev/full)', args: [...walker('gen-1m.json', '--events', '/dev/full')], needs: '/dev/full', stderr: /writing events failed: ENOSPC/ },
  { name: '--events and --report the same path', args: ['backtest', '--demo', '--events', 'OUT/x', '--report', 'OUT/x'], stderr: /same path/ },
  // The declared interval against the data; timestamps.
  { name: '--interval 5m on a 1m file', args: ['backtest', ...files('gen-1m.json', '--strategy', SMA, '--interval', '5m', '--events', 'OUT/e.jsonl')], stderr: /given as 5m, but the first 100 candles are at least 1m apart/ },
  { name: '--interval 1m on a 5m file', args: ['backtest', ...files('gen-5m.json', '--strategy', SMA, '--interval', '1m', '--events', 'OUT/e.jsonl')], stderr: /given as 1m, but the first 100 candles are at least 5m apart/ },
  { name: 'walker --interval 5m on a 1m file', args: [...walker('gen-1m.json', '--interval', '5m', '--events', 'OUT/e.jsonl')], stderr: /given as 5m/ },
  { name: 'a CSV in epoch seconds', args: ['backtest', ...files('seconds.csv', '--strategy', SMA, '--events', 'OUT/e.jsonl')], stderr: /seconds\.csv: the timestamps are epoch seconds/ },
  { name: 'a CSV in epoch seconds with --interval', args: ['backtest', ...files('seconds.csv', '--strategy', SMA, '--interval', '1m')], stderr: /epoch seconds/ },
  { name: 'an off-grid timestamp', args: ['backtest', ...files('off-grid.json', '--strategy', SMA, '--events', 'OUT/e.jsonl')], stderr: /off-grid\.json: invalid candle for GEN\/USD at 2024-01-01T02:30:01\.234Z .*field 'timestamp': not on the 1m grid/ },
  { name: 'a timestamp beyond the last date', args: ['backtest', ...files('far.json', '--strategy', SMA, '--interval', '1m')], stderr: /far\.json line 152: invalid candle .*must be at most 8640000000000000/ },
  // Modules and config.
  { name: 'a strategy module throwing a non-Error at import', args: ['backtest', '--demo', '--strategy', 'IN/throws-string.mjs'], stderr: /strategy module .*throws-string\.mjs failed to load: non-Error value thrown: "boom"/ },
  { name: 'a risk module throwing a non-Error at import', args: ['backtest', '--demo', '--risk', 'IN/throws-string.mjs'], stderr: /risk module .*failed to load: non-Error value thrown: "boom"/ },
  { name: 'a strategy export whose getter throws', args: ['backtest', '--demo', '--strategy', 'IN/getter.mjs'], stderr: /strategy module .*getter\.mjs: reading its default export failed: no getter today/ },
  { name: 'a strategy export that is a throwing proxy', args: [...walker('gen-1m.json')].map((a) => (a === SMA ? 'IN/proxy.mjs' : a)), stderr: /strategy module .*proxy\.mjs: reading its default export failed: non-Error value thrown: 42/ },
  { name: 'a risk export that is a throwing proxy', args: ['backtest', '--demo', '--risk', 'IN/proxy.mjs'], stderr: /risk module .*proxy\.mjs: reading its default export failed: non-Error value thrown: 42/ },
  { name: 'a strategy whose top-level await never settles', args: ['backtest', '--demo', '--strategy', 'IN/tla-never.mjs', '--events', 'OUT/e.jsonl'], stderr: /strategy module .*tla-never\.mjs did not finish loading: its top-level await never settles/ },
  {
    name: 'a strategy whose top-level await holds the process and never settles (bounded wait)',
    args: ['walker', ...files('gen-1m.json', '--strategy', 'IN/tla-held.mjs')],
    env: { TICKFLOW_MODULE_TIMEOUT_MS: '300' },
    stderr: /strategy module .*tla-held\.mjs did not finish loading within 300 ms/,
  },
  { name: 'a strategy module that is a folder', args: ['backtest', '--demo', '--strategy', 'IN/a-folder'], stderr: /strategy module .*a-folder failed to load/ },
  { name: 'a candle file that is a folder', args: ['backtest', ...files('a-folder', '--strategy', SMA)], stderr: /cannot read .*a-folder: .*EISDIR/ },
  { name: 'historyCandles: 1e12', args: ['backtest', '--demo', '--config', 'IN/history.json', '--events', 'OUT/e.jsonl'], stderr: /config .*history\.json: 'historyCandles': Too big/ },
  { name: 'avgPriceCandles: 1e9', args: ['backtest', '--demo', '--config', 'IN/vwap.json'], stderr: /'avgPriceCandles': Too big/ },
  { name: 'a minimum stop-loss distance above the maximum', args: [...walker('gen-1m.json', '--config', 'IN/stops.json')], stderr: /'minStopLossDistancePercent': 30 is above maxStopLossDistancePercent 20/ },
  // Found in the middle of a run, after events were written: the events file is removed, no report is written.
  {
    name: 'an invalid candle after many events',
    args: ['backtest', ...files('bad-late.json', '--strategy', 'IN/always.mjs', '--events', 'OUT/e.jsonl', '--report', 'OUT/report/deeper')],
    stderr: /bad-late\.json line 2902: invalid candle for GEN\/USD .*field 'high'/,
  },
  {
    name: 'an out-of-order candle after many events',
    args: ['backtest', ...files('unordered-late.json', '--strategy', 'IN/always.mjs', '--events', 'OUT/e.jsonl')],
    stderr: /unordered-late\.json index 2900: out-of-order candle for GEN\/USD/,
  },
  { name: 'walker: an invalid candle after many events', args: [...walker('bad-late.json', '--events', 'OUT/e.jsonl', '--report', 'OUT/report')], stderr: /bad-late\.json line 2902/ },
];

describe('user mistakes in backtest and walker: exit 2, one line, no stack trace, no output left', () => {
  for (const { name, args, stderr, existing = [], env, needs } of MISTAKES) {
    it.skipIf(needs !== undefined && !existsSync(needs))(name, () => {
      const out = mkdtempSync(join(tmp, 'out-'));
      for (const file of existing) writeFileSync(join(out, file), 'kept\n');
      const resolved = args.map((a) => a.replace(/^OUT/, out).replace(/^IN\//, `${tmp}/`));
      const r = runCli([...resolved, '--no-progress'], undefined, env);
      expect(r.stderr).toMatch(stderr);
      expect(r.stderr).toMatch(/^tickflow: /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(2);
      expect(readdirSync(out).sort()).toEqual([...existing].sort());
    });
  }
});

describe('--events to a device', () => {
  it('is accepted, and a rejected run does not remove it', () => {
    const out = mkdtempSync(join(tmp, 'out-'));
    // A link to /dev/null: if it were removed, only the link would go.
    const device = join(out, 'null-device');
    symlinkSync('/dev/null', device);
    expect(runCli(['backtest', ...files('gen-1m.json', '--strategy', SMA, '--events', device)].map((a) => a.replace(/^IN\//, `${tmp}/`))).code).toBe(0);
    const r = runCli(['backtest', ...files('bad-late.json', '--strategy', `${tmp}/always.mjs`, '--events', device)].map((a) => a.replace(/^IN\//, `${tmp}/`)));
    expect(r.code).toBe(2);
    expect(existsSync(device)).toBe(true);
  });
});

describe('a closed stdout ends the run quietly', () => {
  it('backtest --events - | head -1: exit 0, nothing on stderr', async () => {
    const r = await runCliReadingOneLine(['backtest', '--demo', '--events', '-', '--no-progress']);
    expect(JSON.parse(r.stdout)).toHaveProperty('action');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('walker --events - | head -1: exit 0, nothing on stderr', async () => {
    const r = await runCliReadingOneLine(['walker', '--candles', `${tmp}/gen-1m.json`, '--symbol', 'GEN/USD', '--strategy', `${tmp}/always.mjs`, '--events', '-', '--no-progress']);
    expect(JSON.parse(r.stdout)).toHaveProperty('action');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('backtest (summary on stdout) | head -1: exit 0, nothing on stderr', async () => {
    const r = await runCliReadingOneLine(['backtest', '--demo', '--no-progress']);
    expect(r.stdout).toContain('Backtest of sma-cross');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
