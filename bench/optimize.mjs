// Optimisation cost: the marginal cost of one more candidate in a batch (one shared pass of the candles) as a
// fraction of a single backtest of the same data, and PBO's time for S = 16 with N = 200 trials on a year of days.
// Run: npx tsup --silent && node bench/optimize.mjs   (prints best-of-RUNS CPU times; asserts nothing)
import { lastValueFrom, toArray } from 'rxjs';
import { cscv, evaluateCandidates, replayCandles, resolveConfig, syntheticCandles, withParams } from '../dist/index.js';
import { cpuMs } from './common.mjs';

const START = Date.UTC(2023, 0, 1);
const MINUTES = 60 * 1440; // two months of 1m candles
const RUNS = Number(process.env.RUNS ?? 5);
const BATCH = Number(process.env.BATCH ?? 32);

/** Momentum on the last `n` closed 5m candles with target `t` ‰: one parameterised strategy, many candidates. */
const strategy = {
  name: 'momentum',
  interval: '5m',
  params: { n: { type: 'int', min: 2, max: 9, default: 3 }, t: { type: 'int', min: 4, max: 15, default: 10 } },
  getSignal(ctx) {
    const { n, t } = ctx.params;
    const c = ctx.candles('5m', n);
    if (c.length < n) return null;
    let up = true;
    let down = true;
    for (let k = 1; k < n; k++) {
      if (!(c[k].close > c[k - 1].close)) up = false;
      if (!(c[k].close < c[k - 1].close)) down = false;
    }
    if (!up && !down) return null;
    const p = ctx.price;
    const x = t / 1000;
    return up
      ? { position: 'long', priceTakeProfit: p * (1 + x), priceStopLoss: p * (1 - x), minuteEstimatedTime: 120 }
      : { position: 'short', priceTakeProfit: p * (1 - x), priceStopLoss: p * (1 + x), minuteEstimatedTime: 120 };
  },
};

const all = await lastValueFrom(syntheticCandles({ symbols: ['SYN/USDT'], start: START, count: MINUTES, seed: 1 }).pipe(toArray()));
const candles = all.map((c) => c.candle);
const source = () => replayCandles({ 'SYN/USDT': candles });
const config = resolveConfig({});
const candidates = Array.from({ length: BATCH }, (_, i) => withParams(strategy, { n: 2 + (i % 8), t: 4 + Math.floor(i / 8) }));

async function best(fn) {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = cpuMs();
    await fn();
    min = Math.min(min, cpuMs() - t);
  }
  return min;
}

const one = await best(() => evaluateCandidates(source(), candidates.slice(0, 1), config, undefined));
const many = await best(() => evaluateCandidates(source(), candidates, config, undefined));
const marginal = (many - one) / (BATCH - 1);
console.log(`candles                 ${MINUTES.toLocaleString('en-US')} (1m, one symbol)`);
console.log(`1 candidate             ${one.toFixed(0)} ms`);
console.log(`${BATCH} candidates, 1 pass  ${many.toFixed(0)} ms`);
console.log(`marginal candidate      ${marginal.toFixed(1)} ms = ${((100 * marginal) / one).toFixed(1)} % of a single backtest (target ≤ 5 %)`);
// The first candidate (n=2, t=4 ‰) proposes only signals that fail validation (take-profit inside the costs): its
// lone run is error events, not trades. The mean lone run of candidates spread over the batch is the fairer unit,
// and the pass over no candidate at all is what one pass shares (reading, validation, history, VWAP).
const spread = [0, Math.floor(BATCH / 3), Math.floor((2 * BATCH) / 3), BATCH - 1];
let lone = 0;
for (const i of spread) lone += await best(() => evaluateCandidates(source(), [candidates[i]], config, undefined));
lone /= spread.length;
const { backtest: bare } = await import('../dist/index.js');
const { count: counted } = await import('rxjs');
const shared = await best(() => lastValueFrom(bare({ source: source(), strategies: [], config }).pipe(counted())));
console.log(`mean lone candidate     ${lone.toFixed(0)} ms (candidates ${spread.join(', ')}); shared pass, no candidate ${shared.toFixed(0)} ms`);
console.log(`marginal vs mean lone   ${((100 * marginal) / lone).toFixed(1)} % (the lanes' own work is ${((100 * (lone - shared)) / lone).toFixed(0)} % of a lone run)`);

// PBO: S = 16 (12,870 combinations), N = 200 trials, T = 365 daily returns.
let state = 7;
const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
const matrix = Array.from({ length: 365 }, () => Array.from({ length: 200 }, () => 0.01 * rand()));
const pboMs = await best(() => cscv(matrix, { splits: 16 }));
console.log(`PBO S=16 N=200 T=365    ${pboMs.toFixed(0)} ms`);

// For scale: the same batch as a bare backtest (events counted, not collected), and events per candidate.
const { backtest } = await import('../dist/index.js');
const { count } = await import('rxjs');
const bare1 = await best(() => lastValueFrom(backtest({ source: source(), strategies: candidates.slice(0, 1), config }).pipe(count())));
const bareN = await best(() => lastValueFrom(backtest({ source: source(), strategies: candidates, config }).pipe(count())));
console.log(`bare backtest: 1 → ${BATCH} candidates ${bare1.toFixed(0)} → ${bareN.toFixed(0)} ms (marginal ${((100 * (bareN - bare1)) / (BATCH - 1) / bare1).toFixed(1)} %)`);
const events = await lastValueFrom(backtest({ source: source(), strategies: candidates, config }).pipe(count()));
console.log(`events per candidate    ${Math.round(events / BATCH).toLocaleString('en-US')}`);

// Workers: `tickflow optimize --workers 1` vs `--workers 2` on the same candles (a temp JSON file), wall time of the
// whole command (worker start-up and strategy loading included; the machine's other load counts too).
{
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'tickflow-bench-opt-'));
  try {
    const file = join(dir, 'SYN_USDT-1m.json');
    writeFileSync(file, JSON.stringify(candles.map((c) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume])));
    const module = join(dir, 'momentum.mjs');
    writeFileSync(module, `export default { name: 'momentum', interval: '5m', params: ${JSON.stringify(strategy.params)}, getSignal: ${strategy.getSignal.toString().replace(/^getSignal/, 'function')} };\n`);
    const wall = (workers) => {
      let min = Infinity;
      for (let i = 0; i < Math.min(RUNS, 3); i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, ['dist/cli/main.js', 'optimize', '--candles', file, '--symbol', 'SYN/USDT', '--strategy', module, '--sampler', 'grid', '--trials', String(BATCH), '--batch-size', String(BATCH), '--workers', String(workers), '--period', '1d', '--splits', '8', '--report', join(dir, `w${workers}`)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
        min = Math.min(min, performance.now() - t);
      }
      return min;
    };
    const w1 = wall(1);
    const w2 = wall(2);
    console.log(`optimize ${BATCH} candidates: 1 worker ${w1.toFixed(0)} ms, 2 workers ${w2.toFixed(0)} ms (speed-up ${(w1 / w2).toFixed(2)}x)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
