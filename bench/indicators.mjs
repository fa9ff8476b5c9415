// Indicator cost (#17): CPU time per candle of 1, 10 and 100 distinct indicators on one symbol (over a backtest with
// none), and an optimisation of 100 SMA-crossover candidates reading shared streaming indicators vs the same
// candidates recomputing their windows from ctx.candles at every ask (ratio).
// Run: npm run bench:indicators   (prints best-of-RUNS CPU times; asserts nothing)
import { lastValueFrom, toArray } from 'rxjs';
import { backtest, evaluateCandidates, replayCandles, resolveConfig, sma, syntheticCandles, withParams } from '../dist/index.js';
import { cpuMs } from './common.mjs';

const START = Date.UTC(2023, 0, 1);
const MINUTES = Number(process.env.MINUTES ?? 30 * 1440);
const RUNS = Number(process.env.RUNS ?? 3);

const all = await lastValueFrom(syntheticCandles({ symbols: ['SYN/USDT'], start: START, count: MINUTES, seed: 1 }).pipe(toArray()));
const candles = all.map((c) => c.candle);
const source = () => replayCandles({ 'SYN/USDT': candles });
const config = resolveConfig({});

async function best(fn) {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = cpuMs();
    await fn();
    min = Math.min(min, cpuMs() - t);
  }
  return min;
}

/** Reads `count` distinct indicators (SMA / EMA / RSI of different periods, a third on 5m buckets) at every ask. */
function reading(count) {
  const specs = {};
  for (let i = 0; i < count; i++) {
    const period = 5 + i;
    const interval = i % 3 === 2 ? '5m' : undefined;
    specs[`i${i}`] = i % 3 === 0 ? sma(period, interval) : i % 3 === 1 ? { kind: 'ema', period, interval } : { kind: 'rsi', period, interval };
  }
  return {
    name: `reads-${count}`,
    interval: '1m',
    indicators: count === 0 ? undefined : () => specs,
    getSignal(ctx) {
      let sum = 0;
      for (const k in ctx.indicators) sum += ctx.indicators[k] ?? 0;
      return sum < 0 ? { position: 'long', priceTakeProfit: 1, priceStopLoss: 1, minuteEstimatedTime: 1 } : null;
    },
  };
}

const run = (strategy) => lastValueFrom(backtest({ source: source(), strategies: [strategy] }).pipe(toArray()));
const nsPerCandle = (ms) => ((ms * 1e6) / candles.length).toFixed(0);

// One unmeasured run first: the first backtest of the process pays the JIT warm-up.
await run(reading(10));
const base = await best(() => run(reading(0)));
console.log(`candles                      ${candles.length.toLocaleString('en')} (1m, one symbol), strategy asked every minute`);
console.log(`no indicators                ${nsPerCandle(base)} ns/candle`);
for (const n of [1, 10, 100]) {
  const t = await best(() => run(reading(n)));
  console.log(`${String(n).padStart(3)} indicator(s)             ${nsPerCandle(t)} ns/candle  (+${nsPerCandle((t - base) / n)} ns per indicator)`);
}

/** SMA crossover on 15m closes, two ways: the same decisions, only where the averages come from differs. */
function crossover(streaming) {
  return {
    name: streaming ? 'cross-indicators' : 'cross-by-hand',
    interval: '15m',
    params: { fast: { type: 'int', min: 2, max: 11, default: 3 }, slow: { type: 'int', min: 20, max: 29, default: 20 } },
    indicators: streaming ? ({ fast, slow }) => ({ fast: sma(fast, '15m'), slow: sma(slow, '15m') }) : undefined,
    getSignal(ctx) {
      let fast;
      let slow;
      if (streaming) {
        ({ fast, slow } = ctx.indicators);
        if (slow === null) return null;
      } else {
        const c = ctx.candles('15m', ctx.params.slow);
        if (c.length < ctx.params.slow) return null;
        const mean = (n) => {
          let s = 0;
          for (let i = c.length - n; i < c.length; i++) s += c[i].close;
          return s / n;
        };
        fast = mean(ctx.params.fast);
        slow = mean(ctx.params.slow);
      }
      const p = ctx.price;
      if (fast > slow * 1.002) return { position: 'long', priceTakeProfit: p * 1.01, priceStopLoss: p * 0.99, minuteEstimatedTime: 120 };
      if (fast < slow * 0.998) return { position: 'short', priceTakeProfit: p * 0.99, priceStopLoss: p * 1.01, minuteEstimatedTime: 120 };
      return null;
    },
  };
}

const candidatesOf = (strategy) => Array.from({ length: 100 }, (_, i) => withParams(strategy, { fast: 2 + (i % 10), slow: 20 + Math.floor(i / 10) }));
const byHand = await best(() => evaluateCandidates(source(), candidatesOf(crossover(false)), config, undefined));
const streamed = await best(() => evaluateCandidates(source(), candidatesOf(crossover(true)), config, undefined));
console.log(`100 SMA candidates, windows recomputed by hand   ${byHand.toFixed(0)} ms`);
console.log(`100 SMA candidates, shared streaming indicators  ${streamed.toFixed(0)} ms`);
console.log(`ratio by hand / indicators                        ${(byHand / streamed).toFixed(2)}x`);
