// Backtest throughput and memory. Run: npm run bench (builds first).
// Prints candles/s for one symbol of 1m candles (1 year, synthetic) with a synchronous strategy asked every
// 5 minutes, the ratio to a plain `for` loop over the same candles, and peak memory for 1 month vs 1 year of
// streamed history (each in its own process, so one run's heap cannot hide in another's).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, count } from 'rxjs';
import { backtest, replayCandles, syntheticCandles } from '../dist/index.js';
import { cpuMs, momentumStrategy } from './common.mjs';

const MINUTES_PER_MONTH = 30 * 1440;
const START = Date.UTC(2023, 0, 1);

const momentum = momentumStrategy({ name: 'momentum-5m' });

async function collect(source) {
  const out = [];
  await new Promise((resolve, reject) => source.subscribe({ next: (c) => out.push(c.candle), error: reject, complete: resolve }));
  return out;
}

function best(runs, fn) {
  let min = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const t = cpuMs();
    result = fn();
    min = Math.min(min, cpuMs() - t);
  }
  return { ms: min, result };
}

async function bestAsync(runs, fn) {
  let min = Infinity;
  let result;
  // No forced GC between runs: a full collection shrinks V8's young generation and taxes the next run.
  for (let i = 0; i < runs; i++) {
    const t = cpuMs();
    result = await fn();
    min = Math.min(min, cpuMs() - t);
  }
  return { ms: min, result };
}

async function throughput() {
  const candles = await collect(syntheticCandles({ symbols: ['BENCH/USD'], start: START, count: 12 * MINUTES_PER_MONTH, seed: 7 }));
  const n = candles.length;
  // The physical limit: touch every candle once, as the engine must.
  const loop = best(9, () => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const c = candles[i];
      acc += (c.high + c.low + c.close) * c.volume;
    }
    return acc;
  });
  const run = () => lastValueFrom(backtest({ source: replayCandles({ 'BENCH/USD': candles }), strategies: [momentum] }).pipe(count()));
  const pipeline = await bestAsync(9, run);
  const loopRate = n / loop.ms / 1000;
  const rate = n / pipeline.ms / 1000;
  console.log(`candles                 ${n.toLocaleString('en-US')} (1 year of 1m, one symbol)`);
  console.log(`events                  ${pipeline.result.toLocaleString('en-US')}`);
  console.log(`plain for loop          ${loopRate.toFixed(1)} M candles/s`);
  console.log(`backtest pipeline       ${rate.toFixed(2)} M candles/s`);
  console.log('(CPU time, best of several runs)');
  console.log(`ratio loop/pipeline     ${(loopRate / rate).toFixed(1)}x  (pipeline reaches ${((rate / loopRate) * 100).toFixed(1)}% of the loop)`);
}

async function memory(months) {
  // Streamed straight from the generator: nothing holds the history but the bounded per-symbol ring.
  const source = syntheticCandles({ symbols: ['BENCH/USD'], start: START, count: months * MINUTES_PER_MONTH, seed: 7 });
  let peakHeap = 0;
  let seen = 0;
  const events = await lastValueFrom(
    backtest({ source, strategies: [momentum] }).pipe(count(() => {
      if (++seen % 1000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      return true;
    })),
  );
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ months, events, peakHeapMB: peakHeap / 2 ** 20, heapAfterGcMB: heapAfter / 2 ** 20, maxRssMB: maxRss / 2 ** 20 }));
}

const arg = process.argv.indexOf('--memory');
if (arg >= 0) {
  await memory(Number(process.argv[arg + 1]));
} else {
  await throughput();
  const self = fileURLToPath(import.meta.url);
  console.log('memory (streamed, separate processes):');
  for (const months of [1, 12]) {
    const r = spawnSync(process.execPath, ['--expose-gc', self, '--memory', String(months)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const m = JSON.parse(r.stdout.trim().split('\n').pop());
    console.log(`  ${String(months).padStart(2)} month(s): ${m.events} events, peak heap ${m.peakHeapMB.toFixed(1)} MB, heap after GC ${m.heapAfterGcMB.toFixed(1)} MB, max RSS ${m.maxRssMB.toFixed(1)} MB`);
  }
}
