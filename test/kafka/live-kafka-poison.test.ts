import type { Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candleMessage, ensureTopics } from '../../src/kafka.js';
import { deferredCleanups } from '../support/cleanups.js';
import { tempStore } from '../support/temp-store.js';
import { brokers, kafka, readTopic, series, T0, unique, until } from './helpers.js';
import { byId, MIN, startNode, untilCommittedToEnd } from './live-kafka-node.js';
import { createIdempotentProducer } from '../../src/kafka/client.js';

const COUNT = 180;
const data = Object.fromEntries(['A/USDT', 'B/USDT', 'C/USDT'].map((s, i) => [s, series(COUNT, i * 11)]));
const SYMBOLS = Object.keys(data);
const LAST = T0 + (COUNT - 1) * MIN;

const defer = deferredCleanups();
// Idempotent, like tickflow's own producers: a send retried under load must not write its records twice (the
// tests count records).
const producer = createIdempotentProducer(kafka);
beforeAll(() => producer.connect());
afterAll(() => producer.disconnect());

async function store() {
  const t = await tempStore({ noSync: true });
  defer(t.cleanup);
  return t;
}

const good = (symbol: string, i: number): Message => candleMessage({ symbol, interval: '1m', candle: data[symbol]![i]! });
const raw = (key: string, value: unknown): Message => ({ key, value: typeof value === 'string' || value === null ? value : JSON.stringify(value) });
const candle = (symbol: string, i: number) => data[symbol]![i]!;

/**
 * Records that cannot be used, each keyed by a real symbol (so it sits in that symbol's partition, between its
 * candles), before its symbol's candle `i`.
 */
const POISON: ReadonlyArray<{ readonly before: number; readonly symbol: string; readonly message: Message; readonly why: RegExp }> = [
  // A well-formed candle of another interval, first on its partition: it must not fix the symbol's interval.
  { before: 0, symbol: 'A/USDT', message: raw('A/USDT', { symbol: 'A/USDT', interval: '5m', candle: candle('A/USDT', 0) }), why: /a 5m candle for A\/USDT, but the topic’s interval is 1m/ },
  { before: 10, symbol: 'A/USDT', message: raw('A/USDT', '{"symbol":"A/USDT","interval":"1m","candle":{'), why: /not JSON/ },
  { before: 40, symbol: 'B/USDT', message: raw('B/USDT', { symbol: 'B/USDT', interval: '5m', candle: { ...candle('B/USDT', 40), timestamp: T0 + 40 * MIN } }), why: /a 5m candle for B\/USDT/ },
  { before: 41, symbol: 'B/USDT', message: raw('B/USDT', { symbol: 'B/USDT', interval: '1m', candle: { ...candle('B/USDT', 41), timestamp: T0 + 41 * MIN + 1234 } }), why: /not on the 1m grid/ },
  { before: 60, symbol: 'C/USDT', message: raw('C/USDT', { symbol: 'C/USDT', interval: '1m', candle: { ...candle('C/USDT', 60), open: null, close: null } }), why: /field 'open'/ },
  { before: 61, symbol: 'C/USDT', message: raw('C/USDT', null), why: /empty message/ },
  { before: 62, symbol: 'C/USDT', message: raw('C/USDT', { symbol: null, interval: null, candle: null }), why: /field 'symbol'/ },
  // Far in the future: would make every later candle of its symbol look like a re-delivery.
  { before: 90, symbol: 'A/USDT', message: raw('A/USDT', { symbol: 'A/USDT', interval: '1m', candle: { ...candle('A/USDT', 90), timestamp: Date.UTC(2100, 0, 1) } }), why: /has not closed yet/ },
  // Past what a Date can show.
  { before: 91, symbol: 'A/USDT', message: raw('A/USDT', { symbol: 'A/USDT', interval: '1m', candle: { ...candle('A/USDT', 91), timestamp: 9e15 } }), why: /'timestamp': must be at most 8640000000000000/ },
  // Huge: a 600 kB symbol (a store key would be far over LMDB's limit).
  { before: 120, symbol: 'B/USDT', message: raw('B/USDT', { symbol: 'X'.repeat(600_000), interval: '1m', candle: candle('B/USDT', 120) }), why: /field 'symbol': a symbol is at most 100 characters/ },
  { before: 121, symbol: 'B/USDT', message: raw('B/USDT', { symbol: 'B/USDT\u0000s', interval: '1m', candle: candle('B/USDT', 121) }), why: /no control characters/ },
  { before: 150, symbol: 'C/USDT', message: raw('C/USDT', '[]'), why: /expected object/ },
  { before: 151, symbol: 'C/USDT', message: raw('C/USDT', { symbol: 'C/USDT', interval: '1m', candle: { ...candle('C/USDT', 151), high: 1e-9 } }), why: /field 'high'/ },
];

/** Publishes the candles (one at a time per symbol, symbols interleaved), with or without the poison records. */
async function publish(withPoison: boolean): Promise<string> {
  const topic = unique(withPoison ? 'poisoned' : 'clean');
  await ensureTopics({ brokers, topics: [{ topic, partitions: 3 }] });
  let batch: Message[] = [];
  const flush = async () => {
    if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
    batch = [];
  };
  for (let i = 0; i < COUNT; i++) {
    for (const symbol of SYMBOLS) {
      for (const p of POISON) {
        if (!withPoison || p.before !== i || p.symbol !== symbol) continue;
        // The huge record alone: a produce request stays under the broker's size limit.
        await flush();
        batch.push(p.message);
        await flush();
      }
      batch.push(good(symbol, i));
    }
    if (i % 30 === 29) await flush();
  }
  await flush();
  return topic;
}

describe('liveFromKafka with unusable records on its topic', () => {
  it('reports each with topic, partition and offset, skips it, commits past it and gives the events of a clean topic', async () => {
    const clean = await publish(false);
    const poisoned = await publish(true);

    const ref = startNode(clean, unique('g'), (await store()).store, { interval: '1m' });
    await until(() => SYMBOLS.every((s) => ref.read(s, LAST)), 'every candle read (clean topic)');
    await ref.finish();
    expect(ref.problems).toEqual([]);

    const t = await store();
    const groupId = unique('g');
    const node = startNode(poisoned, groupId, t.store, { interval: '1m' });
    await until(() => SYMBOLS.every((s) => node.read(s, LAST)), 'every candle read (poisoned topic)');
    await node.finish();

    expect(node.events.filter((e) => e.action === 'error')).toEqual([]);
    expect(byId(node.events)).toEqual(byId(ref.events));
    expect(node.events.length).toBe(ref.events.length);
    expect(node.reads.sort()).toEqual(ref.reads.sort());

    // Each poison record reported once, naming where it is and what is wrong with it.
    const records = await readTopic(poisoned);
    const isPoison = (value: string | null) => POISON.some((p) => (p.message.value ?? null) === value);
    const where = records.filter((r) => isPoison(r.value)).map((r) => `${r.partition}:${r.offset}`);
    expect(where).toHaveLength(POISON.length);
    const reported = node.problems.map((p) => {
      expect(p.kind).toBe('malformed');
      expect(p.topic).toBe(poisoned);
      expect(p.message).toMatch(new RegExp(`^topic ${poisoned} partition ${p.partition} offset ${p.offset}: `));
      return `${p.partition}:${p.offset}`;
    });
    expect(reported.sort()).toEqual(where.sort());
    for (const p of POISON) {
      const r = records.find((x) => x.value === (p.message.value ?? null))!;
      const problem = node.problems.find((x) => x.partition === r.partition && x.offset === r.offset)!;
      expect(problem.message).toMatch(p.why);
      expect(problem.message.length).toBeLessThan(1_000); // the huge record is quoted, not copied
    }
    // Skipped records are committed in order with the candles around them: a restart reads nothing again.
    await untilCommittedToEnd(poisoned, groupId);
  });
});
