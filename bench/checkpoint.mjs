// What durability costs a live node. Run: npm run bench:checkpoint (builds first).
//
//  1. One checkpoint write (a lane's state and the events it released), durable (fsync per commit) vs noSync, and
//     a consistent cut of 8 lanes in one transaction (what the live pipeline writes per transition).
//  2. The same inside a backtest: the extra time per transition of a run with a store over one without.
//  3. A checkpoint cut per transition (what `live` and `backtest` with a store run) at 2 and 80 lanes: one lane
//     transitions per candle, every lane processes the candle.
//  4. History loads through ccxt from a local exchange (examples/local-exchange.mjs, in this process): fetched and
//     cached on the first load, served from the LMDB candle cache on the second.
// Wall time (fsync is waiting, not computing), best of a few runs. Prints figures and ratios; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import { count, lastValueFrom } from 'rxjs';
import { backtest, replayCandles, syntheticCandles } from '../dist/index.js';
import { momentumStrategy } from './common.mjs';
import { ccxtCandles } from '../dist/ccxt.js';
import { checkpointCut } from '../dist/live.js';
import { openStore } from '../dist/lmdb.js';
import { startLocalExchange } from '../examples/local-exchange.mjs';

const MIN = 60_000;
const START = Date.UTC(2023, 0, 1);
const dirs = [];
const tempStore = (noSync) => {
  const path = mkdtempSync(join(tmpdir(), 'tickflow-bench-'));
  dirs.push(path);
  return openStore({ path, noSync });
};
const us = (ms) => `${(ms * 1000).toFixed(1).padStart(8)} µs`;
const pad = (s, n = 44) => s.padEnd(n);

const signal = {
  id: `bench:BTC/USDT:${START}`,
  position: 'long',
  priceOpen: 42_000,
  priceTakeProfit: 42_840,
  priceStopLoss: 41_580,
  minuteEstimatedTime: 120,
  scheduledAt: START,
  pendingAt: START,
  note: null,
};
const opened = { action: 'opened', eventId: `bench|BTC/USDT|${signal.id}|opened`, symbol: 'BTC/USDT', strategy: 'bench', now: START, signal };
const state = { signal, partials: { profit: [10, 20, 30], loss: [] }, lastAskedAt: START };

/** ms per call of `fn`, best of `rounds` rounds of `n` calls. */
function perCall(n, rounds, fn) {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, (performance.now() - t) / n);
  }
  return best;
}

async function writes() {
  console.log('1. checkpoint writes (one lane; a cut of 8 lanes in one transaction)');
  const results = {};
  for (const noSync of [false, true]) {
    const store = tempStore(noSync);
    const n = noSync ? 5_000 : 200;
    const single = perCall(n, 3, (i) => store.writeCheckpoint('bench', 'BTC/USDT', { state, lastTimestamp: START + i * MIN, events: [opened] }));
    const lanes = Array.from({ length: 8 }, (_, k) => ({ strategy: `s${k % 2}`, symbol: `SYM${k >> 1}/USDT`, state, lastTimestamp: START }));
    const cut = perCall(n, 3, (i) =>
      store.writeCheckpoints(lanes.map((l) => ({ strategy: l.strategy, symbol: l.symbol, checkpoint: { state, lastTimestamp: START + i * MIN, events: [opened] } }))),
    );
    await store.close();
    results[noSync ? 'noSync' : 'durable'] = { single, cut };
    console.log(`   ${pad(noSync ? 'noSync' : 'durable (default)', 20)} one lane ${us(single)}   cut of 8 lanes ${us(cut)}`);
  }
  console.log(`   durable / noSync: one lane ${(results.durable.single / results.noSync.single).toFixed(0)}x, cut ${(results.durable.cut / results.noSync.cut).toFixed(0)}x`);
  console.log(`   cut of 8 / one lane: durable ${(results.durable.cut / results.durable.single).toFixed(2)}x, noSync ${(results.noSync.cut / results.noSync.single).toFixed(2)}x`);
}

const momentum = momentumStrategy();

async function collect(source) {
  const out = [];
  await new Promise((resolve, reject) => source.subscribe({ next: (c) => out.push(c.candle), error: reject, complete: resolve }));
  return out;
}

async function pipeline() {
  console.log('2. inside a backtest (momentum strategy, 1m candles, one symbol)');
  for (const [label, noSync, days] of [['durable (default)', false, 3], ['noSync', true, 60]]) {
    const candles = await collect(syntheticCandles({ symbols: ['BENCH/USD'], start: START, count: days * 1440, seed: 7 }));
    const run = async (store) => {
      let transitions = 0;
      const counted = store && {
        writeCheckpoint: (...a) => {
          transitions++;
          store.writeCheckpoint(...a);
        },
        readCheckpoint: (...a) => store.readCheckpoint(...a),
        checkpoints: () => store.checkpoints(),
      };
      const t = performance.now();
      const events = await lastValueFrom(backtest({ source: replayCandles({ 'BENCH/USD': candles }), strategies: [momentum], store: counted }).pipe(count()));
      return { ms: performance.now() - t, transitions, events };
    };
    let bare = Infinity;
    let stored = { ms: Infinity };
    for (let r = 0; r < 3; r++) {
      bare = Math.min(bare, (await run()).ms);
      const store = tempStore(noSync);
      const s = await run(store);
      await store.close();
      if (s.ms < stored.ms) stored = s;
    }
    const per = (stored.ms - bare) / stored.transitions;
    console.log(
      `   ${pad(label, 20)} ${candles.length} candles, ${stored.transitions} transitions: ${bare.toFixed(0)} ms without a store, ` +
        `${stored.ms.toFixed(0)} ms with; ${us(per)} per transition; ${(stored.ms / bare).toFixed(1)}x the run`,
    );
  }
}

async function cuts() {
  console.log('3. checkpoint cut per transition (one lane of n transitions at each candle; every lane processes it)');
  const idle = { signal: null, partials: { profit: [], loss: [] }, lastAskedAt: START };
  for (const noSync of [true, false]) {
    const line = [];
    for (const n of [2, 80]) {
      const store = tempStore(noSync);
      const cut = checkpointCut(store);
      const lanes = Array.from({ length: n }, (_, k) => ({ strategy: `s${k % 4}`, symbol: `SYM${k >> 2}/USDT`, state: idle, lastTimestamp: START }));
      const steps = lanes.map((lane) => ({ lane, bar: { candle: { timestamp: START } }, transitioned: false, events: [] }));
      let candle = 0;
      const per = perCall(noSync ? 2_000 : 100, 3, () => {
        const timestamp = START + ++candle * MIN;
        const moving = candle % n;
        for (let k = 0; k < n; k++) {
          const step = steps[k];
          step.bar.candle.timestamp = timestamp;
          step.transitioned = k === moving;
          if (step.transitioned) {
            step.lane.state = step.lane.state === idle ? state : idle;
            step.events = [opened];
          } else step.events = [];
          step.lane.lastTimestamp = timestamp;
          cut.stage(step);
        }
      });
      await store.close();
      line.push(`${n} lanes ${us(per)}`);
    }
    console.log(`   ${pad(noSync ? 'noSync' : 'durable (default)', 20)} ${line.join('   ')}`);
  }
}

async function history() {
  console.log('4. history loads through ccxt (one symbol, 30 days of 1m, pages of 1000) from a local exchange');
  const local = await startLocalExchange();
  const exchange = new ccxt.binance({ enableRateLimit: true, rateLimit: 1, options: { fetchMarkets: { types: ['spot'] } } });
  for (const key of Object.keys(exchange.urls.api)) exchange.urls.api[key] = exchange.urls.api[key].replace(/^https:\/\/[^/]+/, local.url);
  await exchange.loadMarkets();
  const until = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
  const since = until - 30 * 1440 * MIN;
  const load = async (store) => {
    const before = local.requests();
    const t = performance.now();
    const n = await lastValueFrom(ccxtCandles({ exchange, symbol: 'BTC/USDT', interval: '1m', since, until, store, clock: () => Date.now() }).pipe(count()));
    return { ms: performance.now() - t, n, requests: local.requests() - before };
  };
  await load(); // warm ccxt up (its first requests are slow)
  let plain = { ms: Infinity };
  for (let r = 0; r < 3; r++) {
    const p = await load();
    if (p.ms < plain.ms) plain = p;
  }
  const results = [];
  for (const noSync of [false, true]) {
    const store = tempStore(noSync);
    const uncached = await load(store);
    let cached = { ms: Infinity };
    for (let r = 0; r < 3; r++) {
      const c = await load(store);
      if (c.ms < cached.ms) cached = c;
    }
    await store.close();
    results.push({ noSync, uncached, cached });
  }
  await local.close();
  console.log(`   ${pad('no store', 42)} ${plain.n} candles in ${plain.ms.toFixed(0).padStart(5)} ms, ${plain.requests} requests`);
  for (const { noSync, uncached, cached } of results) {
    const name = noSync ? 'noSync store' : 'durable store';
    console.log(`   ${pad(`${name}, first load (fetch + cache)`, 42)} ${uncached.n} candles in ${uncached.ms.toFixed(0).padStart(5)} ms, ${uncached.requests} requests`);
    console.log(`   ${pad(`${name}, cached`, 42)} ${cached.n} candles in ${cached.ms.toFixed(0).padStart(5)} ms, ${cached.requests} requests`);
    console.log(`   ${pad('', 42)} uncached / cached ${(uncached.ms / cached.ms).toFixed(1)}x; first load / no store ${(uncached.ms / plain.ms).toFixed(2)}x`);
  }
  console.log('   (a real exchange adds its latency and rate limit to every request: the cached load does not pay them)');
}

try {
  await writes();
  await pipeline();
  await cuts();
  if (!process.argv.includes('--no-history')) await history();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
