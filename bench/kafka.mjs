// Kafka sink throughput and end-to-end latency against the local broker. Run: npm run bench:kafka (builds first).
//
// 1. Events/s through `toKafka`: a backtest that emits many events (emitActive: one `active` event per candle per
//    open position) with and without the sink, wall time (the broker is another process), best of a few runs; the
//    ratio says what publishing — with acks from the broker and backpressure through a shared FlowGate — costs.
// 2. Latency from a candle message in to the event message out: first a pipeline that reads candles with
//    `kafkaCandles`, runs the lanes and publishes with `toKafka`; then the live node `liveFromKafka` with durable
//    LMDB checkpoints and a changelog topic. The bench publishes one candle at a time and waits for the event it
//    causes on the events topic. p50/p99 over a bounded number of samples.
//
// The broker: TICKFLOW_KAFKA_BROKERS to use an existing one; otherwise scripts/kafka.sh's local broker, started if
// it is not running and then stopped again — unless a test run started using it meanwhile (the tests' lease files).
// Prints numbers; asserts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { count, lastValueFrom } from 'rxjs';
import { backtest, FlowGate, syntheticCandles } from '../dist/index.js';
import { momentumStrategy } from './common.mjs';
import { candleMessage, ensureChangelogTopic, ensureTopics, kafkaCandles, liveFromKafka, publishCandles, toKafka } from '../dist/kafka.js';
import { LiveMonitor } from '../dist/live.js';
import { openStore } from '../dist/lmdb.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const SYMBOLS = 4;
const MINUTES = 5 * 1440;
const RUNS = 3;
const WARMUP_CANDLES = 12;
const SAMPLES = Number(process.env.TICKFLOW_BENCH_SAMPLES ?? 300);

// ---------------------------------------------------------------------------------------------------------------
// The broker, left as it was found.

/** Mirrors test/kafka/broker.ts: a lease per process using the broker; the last one out stops what automation started. */
function localBroker() {
  const dir = process.env.TICKFLOW_KAFKA_DIR ?? join(ROOT, '.tmp/kafka');
  const leases = join(dir, 'leases');
  const marker = join(dir, 'started-by-tests');
  const mine = join(leases, String(process.pid));
  const script = join(ROOT, 'scripts/kafka.sh');
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return err.code === 'EPERM';
    }
  };
  const sh = (command) => spawnSync(script, [command], { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'inherit'] });
  mkdirSync(leases, { recursive: true });
  for (const name of readdirSync(leases)) if (!alive(Number(name))) rmSync(join(leases, name), { force: true });
  writeFileSync(mine, '');
  const wasRunning = sh('status').status === 0;
  if (!wasRunning) {
    console.log('starting the local broker (scripts/kafka.sh up) …');
    const up = sh('up');
    if (up.status !== 0) {
      rmSync(mine, { force: true });
      throw new Error('scripts/kafka.sh up failed');
    }
    writeFileSync(marker, '');
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    rmSync(mine, { force: true });
    const others = readdirSync(leases).map(Number).filter((pid) => pid !== process.pid && alive(pid));
    if (others.length > 0 || !existsSync(marker)) return;
    rmSync(marker, { force: true });
    console.log('stopping the local broker again (scripts/kafka.sh down)');
    sh('down');
  };
  return { brokers: `127.0.0.1:${process.env.TICKFLOW_KAFKA_PORT ?? '19092'}`, release };
}

// ---------------------------------------------------------------------------------------------------------------
// Workloads.

/** Wide exits: positions stay open for a while, so `active` events flow. */
const momentum = momentumStrategy({ exit: 0.02, minutes: 240 });

/** Opens one long that cannot close during the bench: every later candle makes exactly one `active` event. */
const hold = {
  name: 'hold',
  interval: '1m',
  getSignal(ctx) {
    const p = ctx.price;
    return { position: 'long', priceTakeProfit: p * 3, priceStopLoss: p * 0.85, minuteEstimatedTime: 100_000 };
  },
};

const candles = () => syntheticCandles({ symbols: SYMBOLS, start: START, count: MINUTES, seed: 11 });

async function bestWall(runs, fn) {
  let best = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn(i);
    best = Math.min(best, performance.now() - t);
  }
  return { ms: best, result };
}

async function throughput(brokers) {
  const config = { emitActive: true };
  const plain = await bestWall(RUNS, () => lastValueFrom(backtest({ source: candles(), strategies: [momentum], config }).pipe(count())));
  const events = plain.result;
  // Created first: topic creation is not what is measured.
  const topics = Array.from({ length: RUNS }, (_, i) => `bench-events-${process.pid}-${Date.now().toString(36)}-${i}`);
  await ensureTopics({ brokers, topics: topics.map((topic) => ({ topic, partitions: SYMBOLS })) });
  const sunk = await bestWall(RUNS, async (i) => {
    const topic = topics[i];
    const gate = new FlowGate();
    return lastValueFrom(
      backtest({ source: candles(), strategies: [momentum], config, gate }).pipe(toKafka({ brokers, topic, gate }), count()),
    );
  });
  if (sunk.result !== events) throw new Error(`the sink passed ${sunk.result} events, the run made ${events}`);
  const rate = (ms) => Math.round((events / ms) * 1000);
  console.log(`\nthroughput: ${events.toLocaleString('en-US')} events (${SYMBOLS} symbols × ${MINUTES} 1m candles, emitActive), best of ${RUNS}`);
  console.log(`  backtest alone            ${rate(plain.ms).toLocaleString('en-US').padStart(12)} events/s  (${plain.ms.toFixed(0)} ms)`);
  console.log(`  backtest → toKafka        ${rate(sunk.ms).toLocaleString('en-US').padStart(12)} events/s  (${sunk.ms.toFixed(0)} ms)`);
  console.log(`  ratio (with / without)    ${(plain.ms / sunk.ms).toFixed(3)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Latency.

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const LATENCY_CONFIG = { emitActive: true, maxSignalLifetimeMinutes: 100_000 };

/** A pipeline as in a backtest: kafkaCandles (auto-ack) → lanes → toKafka, one gate, no checkpoints. */
function pipelineNode({ brokers, candleTopic, eventTopic, id }) {
  const gate = new FlowGate();
  const source = kafkaCandles({ brokers, topic: candleTopic, groupId: `bench-node-${id}`, fromBeginning: true, autoAck: true, gate });
  const sub = backtest({ source, strategies: [hold], config: LATENCY_CONFIG, gate })
    .pipe(toKafka({ brokers, topic: eventTopic, gate }))
    .subscribe({ error: (err) => console.error('node failed:', err) });
  return async () => sub.unsubscribe();
}

/**
 * The live node: liveFromKafka with a durable LMDB store (fsync per checkpoint) and a changelog topic, events to
 * Kafka — what `tickflow live` runs for a Kafka candle topic.
 */
async function liveNode({ brokers, candleTopic, eventTopic, id }) {
  const dir = join(ROOT, '.tmp', `bench-live-${id}`);
  const store = openStore({ path: dir });
  const changelog = `bench-changelog-${id}`;
  await ensureChangelogTopic({ brokers, topic: changelog, like: candleTopic });
  const gate = new FlowGate();
  const sub = liveFromKafka({
    kafka: { brokers, topic: candleTopic, groupId: `bench-live-${id}`, fromBeginning: true },
    changelog: { topic: changelog },
    strategies: [hold],
    store,
    config: LATENCY_CONFIG,
    gate,
    sinks: [toKafka({ brokers, topic: eventTopic, gate })],
  }).subscribe({ error: (err) => console.error('node failed:', err) });
  return async () => {
    sub.unsubscribe();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

async function latency(brokers, label, startNode) {
  const id = `${process.pid}-${Date.now().toString(36)}`;
  const candleTopic = `bench-candles-${id}`;
  const eventTopic = `bench-out-${id}`;
  await ensureTopics({ brokers, topics: [{ topic: candleTopic }, { topic: eventTopic }] });
  const kafka = new Kafka({ brokers: [brokers], clientId: 'tickflow-bench', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const reader = kafka.consumer({ groupId: `bench-reader-${id}`, maxWaitTimeInMs: 500 });
  await producer.connect();
  await reader.connect();
  await reader.subscribe({ topics: [eventTopic], fromBeginning: true });

  // The event of a candle carries now = the candle's close time (open + 1m).
  const waiting = new Map();
  const arrived = new Map();
  await reader.run({
    eachMessage: async ({ message }) => {
      const at = performance.now();
      const event = JSON.parse(message.value.toString());
      if (event.action !== 'active') return;
      const resolve = waiting.get(event.now);
      if (resolve) resolve(at);
      else arrived.set(event.now, at);
    },
  });
  const eventFor = (now) =>
    arrived.has(now) ? Promise.resolve(arrived.get(now)) : new Promise((resolve) => waiting.set(now, resolve));

  const stopNode = await startNode({ brokers, candleTopic, eventTopic, id });

  const series = syntheticCandles({ symbols: ['LAT/USD'], start: START, count: WARMUP_CANDLES + SAMPLES, seed: 3 });
  const all = [];
  await new Promise((resolve, reject) => series.subscribe({ next: (c) => all.push(c), error: reject, complete: resolve }));
  const publish = (c) => producer.send({ topic: candleTopic, acks: -1, messages: [candleMessage(c)] });

  // Warm-up: enough candles for the price and the position to open, and the group join behind us.
  for (const c of all.slice(0, WARMUP_CANDLES)) await publish(c);
  await eventFor(all[WARMUP_CANDLES - 1].candle.timestamp + MIN);

  const samples = [];
  for (const c of all.slice(WARMUP_CANDLES)) {
    const out = eventFor(c.candle.timestamp + MIN);
    const t0 = performance.now();
    await publish(c);
    samples.push((await out) - t0);
  }
  await stopNode();
  await Promise.all([producer.disconnect(), reader.disconnect()]);

  samples.sort((a, b) => a - b);
  const f = (ms) => `${ms.toFixed(2)} ms`;
  console.log(`\nlatency, ${label}: candle published → its event read back, ${samples.length} candles one at a time`);
  console.log(`  p50 ${f(percentile(samples, 50))}   p99 ${f(percentile(samples, 99))}   min ${f(samples[0])}   max ${f(samples.at(-1))}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Catching up.

const BACKLOG_MINUTES = 1440;

/**
 * liveFromKafka without a changelog on a durable store (fsync per commit), catching up a backlog already on the
 * topic: candles/s from subscribing until every symbol's last candle went through the lanes, best of a few runs.
 */
async function backlog(brokers) {
  const id = `${process.pid}-${Date.now().toString(36)}`;
  const topic = `bench-backlog-${id}`;
  await ensureTopics({ brokers, topics: [{ topic, partitions: SYMBOLS }] });
  const source = syntheticCandles({ symbols: SYMBOLS, start: START, count: BACKLOG_MINUTES, seed: 5 });
  const { published } = await publishCandles({ brokers, topic, source });
  const last = START + (BACKLOG_MINUTES - 1) * MIN;
  const run = await bestWall(RUNS, async (i) => {
    const dir = join(ROOT, '.tmp', `bench-backlog-${id}-${i}`);
    const store = openStore({ path: dir });
    const monitor = new LiveMonitor();
    const sub = liveFromKafka({
      kafka: { brokers, topic, groupId: `bench-backlog-${id}-${i}`, fromBeginning: true },
      strategies: [momentum],
      store,
      monitor,
    }).subscribe({ error: (err) => console.error('node failed:', err) });
    const done = () => {
      const symbols = Object.values(monitor.status().symbols);
      return symbols.length === SYMBOLS && symbols.every((s) => s.lastCandle === last);
    };
    while (!done()) await new Promise((r) => setTimeout(r, 5));
    sub.unsubscribe();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  console.log(`\ncatch-up, liveFromKafka without a changelog (durable LMDB store): ${published.toLocaleString('en-US')} candles on the topic, best of ${RUNS}`);
  console.log(`  ${Math.round((published / run.ms) * 1000).toLocaleString('en-US').padStart(12)} candles/s  (${run.ms.toFixed(0)} ms)`);
}

// ---------------------------------------------------------------------------------------------------------------

const external = process.env.TICKFLOW_KAFKA_BROKERS;
const broker = external ? { brokers: external, release: () => undefined } : localBroker();
process.once('SIGINT', () => {
  broker.release();
  process.exit(130);
});
try {
  console.log(`Kafka bench against ${broker.brokers} (node ${process.version})`);
  // TICKFLOW_BENCH_ONLY=backlog: only the catch-up figure.
  const all = process.env.TICKFLOW_BENCH_ONLY !== 'backlog';
  if (all) await throughput(broker.brokers);
  await backlog(broker.brokers);
  if (all) await latency(broker.brokers, 'kafkaCandles → lanes → toKafka (no checkpoints)', pipelineNode);
  if (all) await latency(broker.brokers, 'liveFromKafka (durable LMDB checkpoints + changelog topic) → toKafka', liveNode);
} finally {
  broker.release();
}
