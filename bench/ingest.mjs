// Ingestion, memory and merge. Run: npm run bench:ingest (builds first). Prints ratios; nothing is asserted.
//
// Data: synthetic 1m candles (syntheticCandles, seed 7, start 2023-01-01) written once as compact JSON arrays of
// [ts, o, h, l, c, v] rows, prices rounded to 6 decimals and volumes to 4 (exchange-like text, not 17-digit
// doubles), into $TMPDIR/tickflow-bench-ingest-v1 (reused by later runs). Every child process is measured by
// bench/cpu-report.mjs (CPU time and peak RSS of the whole process, start-up included).
//
//   cli year        `tickflow backtest --candles year.json` (525,600 candles) vs the parse-plus-VWAP baseline
//                   (bench/ingest-baseline.mjs: JSON.parse + a 5-candle VWAP per candle); ratio baseline/tickflow
//   50 × 1 month    the CLI on 50 files of 43,200 candles: peak RSS
//   1000 × 1 day    the CLI on 1,000 files of 1,440 candles: peak RSS and CPU
//   merge           mergeByTime over 1 / 50 / 400 symbols whose readers make candles on demand, 400,000 in all
//   library         backtest of 1 symbol in memory, sync strategy every 5m, vs a plain loop doing the same work
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count, lastValueFrom } from 'rxjs';
import { backtest, mergeByTime, replayCandles, syntheticCandles } from '../dist/index.js';
import { cpuMs, momentumStrategy } from './common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '../dist/cli/main.js');
const STRATEGY = path.join(here, 'momentum.mjs');
const DATA = path.join(tmpdir(), 'tickflow-bench-ingest-v1');
const START = Date.UTC(2023, 0, 1);
const DAY = 1440;
const only = process.argv.slice(2);
const wants = (name) => only.length === 0 || only.includes(name);

async function collect(source) {
  const out = [];
  await new Promise((resolve, reject) => source.subscribe({ next: (c) => out.push(c.candle), error: reject, complete: resolve }));
  return out;
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One symbol's candles as an exchange-style JSON file (rounding is monotonic: OHLC consistency is kept). */
async function jsonFile(symbol, count) {
  const file = path.join(DATA, `${symbol.replace(/\W+/g, '_')}-${count}.json`);
  if (existsSync(file)) return file;
  const candles = await collect(syntheticCandles({ symbols: [symbol], start: START, count, seed: 7 }));
  const rows = candles.map((c) => `[${c.timestamp},${round(c.open, 6)},${round(c.high, 6)},${round(c.low, 6)},${round(c.close, 6)},${round(c.volume, 4)}]`);
  writeFileSync(`${file}.tmp`, `[${rows.join(',')}]`);
  writeFileSync(file, readFileSync(`${file}.tmp`));
  rmSync(`${file}.tmp`);
  return file;
}

/** Runs node with `args`, measured; throws with its stderr on failure. */
function measure(args) {
  const report = path.join(DATA, `report-${process.pid}.json`);
  rmSync(report, { force: true });
  const r = spawnSync(process.execPath, ['--import', path.join(here, 'cpu-report.mjs'), ...args], {
    env: { ...process.env, BENCH_REPORT: report },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`node ${args.join(' ').slice(0, 200)} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(readFileSync(report, 'utf8'));
}

function best(runs, fn) {
  let min = null;
  for (let i = 0; i < runs; i++) {
    const m = fn();
    if (min === null || m.cpuMs < min.cpuMs) min = m;
  }
  return min;
}

const cliBacktest = (files) => [CLI, 'backtest', ...files.flatMap(([file, symbol]) => ['--candles', file, '--symbol', symbol]), '--strategy', STRATEGY, '--interval', '1m', '--no-progress'];

async function cliYear() {
  const file = await jsonFile('BENCH/USD', 365 * DAY);
  const baseline = best(3, () => measure([path.join(here, 'ingest-baseline.mjs'), file]));
  const tickflow = best(3, () => measure(cliBacktest([[file, 'BENCH/USD']])));
  const startup = best(3, () => measure([CLI, 'backtest', '--help']));
  console.log(`cli year of 1m (${(365 * DAY).toLocaleString('en-US')} candles, ${(readFileSync(file).length / 2 ** 20).toFixed(1)} MB JSON), CPU ms, best of 3:`);
  console.log(`  parse+VWAP baseline   ${baseline.cpuMs.toFixed(0)} ms`);
  console.log(`  tickflow backtest     ${tickflow.cpuMs.toFixed(0)} ms  (peak RSS ${tickflow.maxRssMB.toFixed(0)} MB)`);
  console.log(`  tickflow start-up     ${startup.cpuMs.toFixed(0)} ms  (backtest --help)`);
  console.log(`  ratio baseline/tickflow ${(baseline.cpuMs / tickflow.cpuMs).toFixed(2)}  (target >= 1.0)`);
}

async function cliSymbols(symbols, days, label, target) {
  const files = [];
  for (let i = 0; i < symbols; i++) files.push([await jsonFile(`S${i}/USD`, days * DAY), `S${i}/USD`]);
  const m = measure(cliBacktest(files));
  console.log(`cli ${label}: peak RSS ${m.maxRssMB.toFixed(0)} MB${target ? ` (target <= ${target} MB)` : ''}, CPU ${(m.cpuMs / 1000).toFixed(1)} s`);
}

/**
 * Readers that make each candle when asked, as the file readers do (candles arrays held in memory would measure
 * cache misses across symbols instead of the merge).
 */
function generated(symbol, count) {
  let i = 0;
  const result = { done: false, value: undefined };
  const DONE = { done: true, value: undefined };
  return {
    symbol,
    interval: '1m',
    candles: {
      next() {
        if (i >= count) return DONE;
        result.value = { timestamp: START + i++ * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 };
        return result;
      },
    },
  };
}

function mergeThroughput() {
  const TOTAL = 400_000;
  const rates = [];
  for (const n of [1, 50, 400]) {
    let bestMs = Infinity;
    for (let run = 0; run < 7; run++) {
      const inputs = Array.from({ length: n }, (_, s) => generated(`M${String(s).padStart(3, '0')}`, TOTAL / n));
      const t = cpuMs();
      const merged = mergeByTime(inputs);
      let seen = 0;
      let sum = 0;
      for (let r = merged.next(); !r.done; r = merged.next()) {
        seen++;
        sum += r.value.candle.close;
      }
      bestMs = Math.min(bestMs, cpuMs() - t);
      if (seen !== TOTAL || sum !== TOTAL) throw new Error(`merge lost candles: ${seen}`);
    }
    rates.push(TOTAL / bestMs / 1000);
  }
  console.log(`merge (400,000 candles made on demand, CPU, best of 7): ${[1, 50, 400].map((n, i) => `${n} symbol(s) ${rates[i].toFixed(1)} M/s`).join(', ')}; max/min ${(Math.max(...rates) / Math.min(...rates)).toFixed(2)} (target <= 2)`);
}

/**
 * What a hand-written loop does for the same strategy: the 5-candle VWAP at every candle, the 5m buckets' closes, and
 * at each 5m slot the momentum rule on the last three closed buckets.
 */
function plainLoop(candles) {
  const n = candles.length;
  const pv = new Float64Array(5);
  const vol = new Float64Array(5);
  const closes = [0, 0, 0];
  let buckets = 0;
  let signals = 0;
  let price = 0;
  for (let i = 0; i < n; i++) {
    const c = candles[i];
    const j = i % 5;
    pv[j] = ((c.high + c.low + c.close) / 3) * c.volume;
    vol[j] = c.volume;
    let a = 0;
    let v = 0;
    const k = i < 5 ? i + 1 : 5;
    for (let m = 0; m < k; m++) {
      a += pv[m];
      v += vol[m];
    }
    price = v > 0 ? a / v : c.close;
    const now = c.timestamp + 60_000;
    if (now % 300_000 === 0) {
      closes[buckets % 3] = c.close;
      buckets++;
      if (buckets >= 3) {
        const c0 = closes[buckets % 3];
        const c1 = closes[(buckets + 1) % 3];
        const c2 = closes[(buckets + 2) % 3];
        if ((c0 < c1 && c1 < c2) || (c0 > c1 && c1 > c2)) signals += price > 0 ? 1 : 0;
      }
    }
  }
  return signals;
}

async function library() {
  const candles = await collect(syntheticCandles({ symbols: ['BENCH/USD'], start: START, count: 365 * DAY, seed: 7 }));
  const n = candles.length;
  let loopMs = Infinity;
  for (let i = 0; i < 9; i++) {
    const t = cpuMs();
    plainLoop(candles);
    loopMs = Math.min(loopMs, cpuMs() - t);
  }
  const strategy = momentumStrategy({ name: 'momentum-5m' });
  let runMs = Infinity;
  for (let i = 0; i < 7; i++) {
    const t = cpuMs();
    await lastValueFrom(backtest({ source: replayCandles({ 'BENCH/USD': candles }), strategies: [strategy] }).pipe(count()));
    runMs = Math.min(runMs, cpuMs() - t);
  }
  const loopRate = n / loopMs / 1000;
  const rate = n / runMs / 1000;
  console.log(`library backtest, 1 symbol in memory, sync strategy every 5m: ${rate.toFixed(2)} M candles/s; plain VWAP/5m loop ${loopRate.toFixed(1)} M/s; ratio ${((rate / loopRate) * 100).toFixed(1)} % (target >= 20 %)`);
}

mkdirSync(DATA, { recursive: true });
if (wants('cli')) await cliYear();
if (wants('symbols')) {
  await cliSymbols(50, 30, '50 symbols × 1 month', 150);
  await cliSymbols(1000, 1, '1,000 symbols × 1 day');
}
if (wants('merge')) mergeThroughput();
if (wants('library')) await library();
