// The candle store against the JSON baseline. Run: npm run bench:store (builds first).
// One year of 1m candles: the real ETH/BTC series of ../shared/data (10 days) laid end to end 37 times, each copy
// 10 days after the previous (synthetic candles when the shared data is absent). Measured in CPU time, best of 3:
//   baseline      read the JSON file, JSON.parse it, a 5-candle VWAP per candle
//   store replay  storeCandles (the same year from the candle store), the same VWAP per candle
//   store backtest  backtest() from the store with a momentum strategy asked every 5 minutes
// and, in CPU time of their own processes (best of 3), `tickflow backtest` with the same strategy on the JSON file and on the store.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, count, toArray } from 'rxjs';
import { backtest, syntheticCandles } from '../dist/index.js';
import { CandleStore, storeCandles } from '../dist/lmdb.js';
import { cpuMs, momentumStrategy } from './common.mjs';

const DAY = 86_400_000;
const COPIES = 37;
const SYMBOL = 'ETH/BTC';
const shared = fileURLToPath(new URL('../../shared/data/freqtrade/ETH_BTC-1m.json', import.meta.url));

async function year() {
  if (!existsSync(shared)) {
    console.log('(shared data absent: a synthetic year)');
    const all = await lastValueFrom(syntheticCandles({ symbols: [SYMBOL], start: Date.UTC(2018, 0, 1), count: 365 * 1440, seed: 5 }).pipe(toArray()));
    return all.map(({ candle: c }) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume]);
  }
  const rows = JSON.parse(readFileSync(shared, 'utf8'));
  const out = [];
  for (let k = 0; k < COPIES; k++) for (const r of rows) out.push([r[0] + k * 10 * DAY, r[1], r[2], r[3], r[4], r[5]]);
  return out;
}

function vwap5() {
  const pv = new Float64Array(5);
  const v = new Float64Array(5);
  let i = 0;
  let acc = 0;
  return {
    add(high, low, close, volume) {
      const typical = (high + low + close) / 3;
      pv[i] = typical * volume;
      v[i] = volume;
      i = (i + 1) % 5;
      let spv = 0;
      let sv = 0;
      for (let j = 0; j < 5; j++) {
        spv += pv[j];
        sv += v[j];
      }
      acc += sv > 0 ? spv / sv : close;
    },
    get result() {
      return acc;
    },
  };
}

async function best(runs, fn) {
  let min = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const t = cpuMs();
    result = await fn();
    min = Math.min(min, cpuMs() - t);
  }
  return { ms: min, result };
}

/** CPU time (user + system) of a `tickflow` process, via bash's `time`: wall time on a shared machine measures the neighbours. */
function cliCpu(args) {
  const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  const line = [process.execPath, cli, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time ${line} > /dev/null`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tickflow ${args.join(' ')}: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return (user + sys) * 1000;
}

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-bench-store-'));
try {
  const rows = await year();
  const n = rows.length;
  const file = join(tmp, 'year.json');
  writeFileSync(file, JSON.stringify(rows));
  const dir = join(tmp, 'store');
  const store = CandleStore.open({ path: dir, noSync: true });
  for (let i = 0; i < n; i += 100_000) {
    const chunk = rows.slice(i, i + 100_000).map(([timestamp, open, high, low, close, volume]) => ({ timestamp, open, high, low, close, volume }));
    store.putCandles(SYMBOL, '1m', chunk, { from: chunk[0].timestamp, to: chunk.at(-1).timestamp + 60_000 });
  }
  await store.close();
  console.log(`${n.toLocaleString('en-US')} candles of 1m (${(n / 1440).toFixed(0)} days), JSON file ${(JSON.stringify(rows).length / 1e6).toFixed(1)} MB`);

  const baseline = await best(3, () => {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    const w = vwap5();
    for (const r of parsed) w.add(r[2], r[3], r[4], r[5]);
    return w.result;
  });
  const replay = await best(3, () => {
    const w = vwap5();
    return new Promise((resolve, reject) =>
      storeCandles({ path: dir, symbols: [SYMBOL] }).drive({
        next: ({ candle: c }) => w.add(c.high, c.low, c.close, c.volume),
        error: reject,
        complete: () => resolve(w.result),
        closed: false,
      }),
    );
  });
  if (Math.abs(replay.result - baseline.result) > 1e-6 * Math.abs(baseline.result)) throw new Error('the store replay computed another VWAP than the baseline');
  const strategy = momentumStrategy({ name: 'momentum-5m' });
  const run = await best(3, () => lastValueFrom(backtest({ source: storeCandles({ path: dir, symbols: [SYMBOL] }), strategies: [strategy] }).pipe(count())));

  const rate = (ms) => `${((n / ms) * 1000 / 1e6).toFixed(2)} M candles/s`;
  console.log(`baseline (JSON.parse + 5-candle VWAP)   ${baseline.ms.toFixed(0).padStart(6)} ms CPU  ${rate(baseline.ms)}`);
  console.log(`store replay + the same VWAP           ${replay.ms.toFixed(0).padStart(6)} ms CPU  ${rate(replay.ms)}   ${(baseline.ms / replay.ms).toFixed(2)}× the baseline`);
  console.log(`backtest() from the store (momentum)   ${run.ms.toFixed(0).padStart(6)} ms CPU  ${rate(run.ms)}   ${(baseline.ms / run.ms).toFixed(2)}× the baseline`);

  // The same momentum strategy as a module the CLI loads: the strategy's own cost stays small next to the reading.
  const strategyFile = join(tmp, 'momentum.mjs');
  writeFileSync(strategyFile, `import { momentumStrategy } from ${JSON.stringify(new URL('./common.mjs', import.meta.url).href)};\nexport default momentumStrategy({ name: 'momentum-5m' });\n`);
  const cliJson = Math.min(cliCpu(['backtest', '--candles', file, '--symbol', SYMBOL, '--strategy', strategyFile, '--no-progress']), cliCpu(['backtest', '--candles', file, '--symbol', SYMBOL, '--strategy', strategyFile, '--no-progress']), cliCpu(['backtest', '--candles', file, '--symbol', SYMBOL, '--strategy', strategyFile, '--no-progress']));
  const cliStore = Math.min(cliCpu(['backtest', '--data', dir, '--symbol', SYMBOL, '--strategy', strategyFile, '--no-progress']), cliCpu(['backtest', '--data', dir, '--symbol', SYMBOL, '--strategy', strategyFile, '--no-progress']), cliCpu(['backtest', '--data', dir, '--symbol', SYMBOL, '--strategy', strategyFile, '--no-progress']));
  console.log(`tickflow backtest --candles (momentum)  ${cliJson.toFixed(0).padStart(6)} ms CPU`);
  console.log(`tickflow backtest --data (momentum)     ${cliStore.toFixed(0).padStart(6)} ms CPU   ${(cliJson / cliStore).toFixed(2)}× the JSON file run`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
