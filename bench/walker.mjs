// Walker cost: N strategies over ONE shared pass of the candles vs one strategy. Run:
//   npx tsup --silent && node bench/walker.mjs
// Prints best-of-N wall times and ratios (never asserted): 10 strategies in one walker vs 1 strategy, and, for scale,
// 10 separate backtests (each re-reading the source). Two sources: in-memory candles (validated per pass) and a
// JSON candle file (read, parsed and validated per pass).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, lastValueFrom, toArray } from 'rxjs';
import { backtest, candleFile, replayCandles, syntheticCandles, walker } from '../dist/index.js';

const START = Date.UTC(2023, 0, 1);
const MINUTES = 60 * 1440; // two months of 1m candles
const RUNS = Number(process.env.RUNS ?? 5);

/** Momentum or reversal on the last `n` closed 5m candles: cheap, synchronous, and it trades. */
function momentum(i) {
  const n = 2 + (i % 4);
  const follow = i % 2 === 0;
  const target = 0.006 + 0.001 * (i % 5);
  return {
    name: `momentum-${i}`,
    interval: '5m',
    getSignal(ctx) {
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
      return up === follow
        ? { position: 'long', priceTakeProfit: p * (1 + target), priceStopLoss: p * (1 - target), minuteEstimatedTime: 120 }
        : { position: 'short', priceTakeProfit: p * (1 - target), priceStopLoss: p * (1 + target), minuteEstimatedTime: 120 };
    },
  };
}

/** Best (minimum) time of each job over RUNS rounds; the jobs take turns in every round so drift hits them alike. */
async function bestOf(jobs) {
  const ms = jobs.map(() => Infinity);
  for (let round = 0; round < RUNS; round++) {
    for (let j = 0; j < jobs.length; j++) {
      const t = performance.now();
      await jobs[j]();
      ms[j] = Math.min(ms[j], performance.now() - t);
    }
  }
  return ms;
}

const candles = (
  await lastValueFrom(syntheticCandles({ symbols: ['BENCH/USD'], start: START, count: MINUTES, seed: 7 }).pipe(toArray()))
).map((c) => c.candle);
const dir = mkdtempSync(join(tmpdir(), 'tickflow-bench-'));
const file = join(dir, 'bench.json');
writeFileSync(file, `[\n${candles.map((c) => JSON.stringify([c.timestamp, c.open, c.high, c.low, c.close, c.volume])).join(',\n')}\n]\n`);

const sources = {
  'in-memory': () => replayCandles({ 'BENCH/USD': candles }),
  'JSON file': () => candleFile(file, { symbol: 'BENCH/USD', interval: '1m' }),
};
const ten = Array.from({ length: 10 }, (_, i) => momentum(i));

try {
  console.log(`candles: ${candles.length.toLocaleString('en-US')} (1m, one symbol); best of ${RUNS} runs each`);
  for (const [label, source] of Object.entries(sources)) {
    const walk = (strategies) => () => lastValueFrom(walker({ source: source(), strategies }).pipe(count()));
    const separate = async () => {
      for (const s of ten) await lastValueFrom(backtest({ source: source(), strategies: [s] }).pipe(count()));
    };
    const [one, all, apart] = await bestOf([walk(ten.slice(0, 1)), walk(ten), separate]);
    console.log(`${label}:`);
    console.log(`  walker, 1 strategy          ${one.toFixed(0).padStart(6)} ms`);
    console.log(`  walker, 10 strategies       ${all.toFixed(0).padStart(6)} ms   ratio ${(all / one).toFixed(2)}x  (10 strategies vs 1, target well under 10x)`);
    console.log(`  10 separate backtests       ${apart.toFixed(0).padStart(6)} ms   ratio ${(apart / one).toFixed(2)}x  (for scale: no shared pass)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
