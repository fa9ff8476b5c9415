import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { ensureTopics, kafkaCandles, publishCandles, type KafkaCandle, type KafkaCandleProblem } from '../../src/kafka.js';
import { replayCandles } from '../../src/sources/replay.js';
import { brokers, kafka, readTopic, series, unique, until } from './helpers.js';
import { untilMembers } from './live-kafka-node.js';
import { createIdempotentProducer } from '../../src/kafka/client.js';

// Idempotent, like tickflow's own producers: a send retried under load must not write its records twice (the
// tests count records).
const producer = createIdempotentProducer(kafka);
beforeAll(() => producer.connect());
afterAll(() => producer.disconnect());

async function committed(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(t!.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

async function untilCommitted(groupId: string, topic: string, want: Record<number, string>): Promise<void> {
  let last: Record<number, string> = {};
  const deadline = Date.now() + 60_000;
  while (JSON.stringify((last = await committed(groupId, topic))) !== JSON.stringify(want)) {
    if (Date.now() > deadline) throw new Error(`committed offsets stayed ${JSON.stringify(last)}, want ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function bySymbol(candles: readonly SymbolCandle[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const c of candles) (out[c.symbol] ??= []).push(c.candle.timestamp);
  return out;
}

const candleJson = (symbol: string, i: number, patch: object = {}) =>
  JSON.stringify({ symbol, interval: '1m', candle: { ...series(i + 1, 0)[i], ...patch } });

describe('publishCandles → kafkaCandles', () => {
  it('reads back, per symbol in order, what publishCandles wrote from a CandleSource', async () => {
    const topic = unique('candles');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 4 }] });
    const data = Object.fromEntries(['A', 'B', 'C', 'D', 'E'].map((s, i) => [`${s}/USDT`, series(60, i * 7)]));
    const { published } = await publishCandles({ brokers, topic, source: replayCandles(data), maxInFlight: 20, batchSize: 7 });
    expect(published).toBe(300);

    const problems: KafkaCandleProblem[] = [];
    const got = await lastValueFrom(
      kafkaCandles({ brokers, topic, groupId: unique('g'), fromBeginning: true, autoAck: true, onError: (p) => problems.push(p) }).pipe(
        take(300),
        toArray(),
      ),
    );
    expect(problems).toEqual([]);
    const want = Object.fromEntries(Object.entries(data).map(([s, cs]) => [s, cs.map((c) => c.timestamp)]));
    expect(bySymbol(got)).toEqual(want);
    const first = got.find((c) => c.symbol === 'C/USDT')!;
    expect(first.candle).toEqual(data['C/USDT']![0]);
    expect(first.interval).toBe('1m');
    // One symbol, one partition.
    const partitions = new Map<string, Set<number>>();
    for (const c of got) partitions.set(c.symbol, (partitions.get(c.symbol) ?? new Set()).add(c.origin.partition));
    for (const p of partitions.values()) expect(p.size).toBe(1);
  });

  it('reports a malformed record with topic, partition and offset, skips it and keeps going', async () => {
    const topic = unique('candles-bad');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 2 }] });
    await producer.send({
      topic,
      messages: [
        { partition: 0, key: 'A', value: candleJson('A', 0) },
        { partition: 0, key: 'A', value: '{"symbol": "A", "interval": "1m", "candle": ' }, // offset 1: not JSON
        { partition: 0, key: 'A', value: candleJson('A', 1) },
        { partition: 0, key: 'A', value: candleJson('A', 2, { high: 1, low: 2 }) }, // offset 3: high below low
        { partition: 0, key: 'A', value: candleJson('A', 3) },
        { partition: 1, key: 'B', value: candleJson('B', 0).replace('"1m"', '"7m"') }, // offset 0: bad interval
        { partition: 1, key: 'B', value: candleJson('B', 0) },
        { partition: 1, key: 'B', value: null }, // offset 2: a tombstone
        { partition: 1, key: 'B', value: candleJson('B', 1) },
        { partition: 1, key: 'B', value: candleJson('', 2) }, // offset 4: no symbol
      ],
    });

    const groupId = unique('g');
    const problems: KafkaCandleProblem[] = [];
    const got: KafkaCandle[] = [];
    const sub = kafkaCandles({ brokers, topic, groupId, fromBeginning: true, autoAck: true, onError: (p) => problems.push(p) }).subscribe(
      (c) => got.push(c),
    );
    try {
      await until(
        () => got.length === 5 && problems.length === 5,
        () => `5 candles and 5 problems (got ${got.map((c) => `${c.symbol}@${c.origin.partition}:${c.origin.offset}`).join(' ')}; problems ${problems.map((p) => `${p.kind} ${p.message}`).join(' | ')})`,
      );
      // Malformed records are committable at once, so the group's offsets reach the end of both partitions.
      await untilCommitted(groupId, topic, { 0: '5', 1: '5' });
    } finally {
      sub.unsubscribe();
    }
    expect(bySymbol(got)).toEqual({ A: [0, 1, 3].map((i) => series(4, 0)[i]!.timestamp), B: [0, 1].map((i) => series(2, 0)[i]!.timestamp) });
    const where = problems.map((p) => [p.kind, p.topic, p.partition, p.offset]).sort((a, b) => String(a).localeCompare(String(b)));
    expect(where).toEqual(
      [
        ['malformed', topic, 0, '1'],
        ['malformed', topic, 0, '3'],
        ['malformed', topic, 1, '0'],
        ['malformed', topic, 1, '2'],
        ['malformed', topic, 1, '4'],
      ].sort((a, b) => String(a).localeCompare(String(b))),
    );
    const message = (partition: number, offset: string) => problems.find((p) => p.partition === partition && p.offset === offset)!.message;
    expect(message(0, '1')).toMatch(new RegExp(`^topic ${topic} partition 0 offset 1: not JSON`));
    expect(message(0, '3')).toMatch(/partition 0 offset 3: invalid candle for A .*field 'high'/);
    expect(message(1, '0')).toMatch(/partition 1 offset 0: field 'interval'/);
    expect(message(1, '2')).toMatch(/partition 1 offset 2: empty message/);
    expect(message(1, '4')).toMatch(/partition 1 offset 4: field 'symbol'/);
  }, 240_000);

  it('reports a record read again after a rebalance only once', async () => {
    const topic = unique('candles-reread');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 2 }] });
    await producer.send({
      topic,
      messages: [
        { partition: 0, key: 'A', value: candleJson('A', 0) },
        { partition: 0, key: 'A', value: 'not json' },
        { partition: 1, key: 'B', value: candleJson('B', 0) },
        { partition: 1, key: 'B', value: candleJson('B', 1, { high: 1, low: 2 }) },
      ],
    });
    const groupId = unique('g');
    const problems: KafkaCandleProblem[] = [];
    const got: KafkaCandle[] = [];
    const assignments: number[][] = [];
    // Consumer restarts under load may be reported too: only the unusable records count here.
    const malformed = () => problems.filter((p) => p.kind === 'malformed');
    // Nothing acknowledged: after each rebalance the group reads both partitions again from their first records.
    // A short session: a member that leaves without saying so (e.g. its leave is lost in a rebalance) is dropped soon.
    const sessionTimeout = 6_000;
    const first = kafkaCandles({ brokers, topic, groupId, fromBeginning: true, sessionTimeout, onError: (p) => problems.push(p), onAssign: (p) => assignments.push([...p].sort()) });
    const sub = first.subscribe((c) => got.push(c));
    try {
      const seen = () => `2 candles and 2 unusable records (got ${got.map((c) => `${c.symbol}@${c.origin.partition}:${c.origin.offset}`).join(' ')}; problems ${problems.map((p) => `${p.kind} ${p.message}`).join(' | ')}; assignments ${JSON.stringify(assignments)})`;
      await until(() => got.length === 2 && malformed().length === 2, seen);
      // A second member joins (taking a partition) and leaves (giving it back): two rebalances.
      const second = kafkaCandles({ brokers, topic, groupId, fromBeginning: true, sessionTimeout, onError: () => undefined }).subscribe();
      await untilMembers(groupId, 2);
      second.unsubscribe();
      await untilMembers(groupId, 1);
      await until(() => assignments.length >= 3 && assignments.at(-1)!.join() === '0,1', `both partitions back with the first member (assignments ${JSON.stringify(assignments)})`);
      // A new last record on each partition: once both are read, every record before them was read again.
      await producer.send({
        topic,
        messages: [
          { partition: 0, key: 'A', value: candleJson('A', 1) },
          { partition: 1, key: 'B', value: candleJson('B', 2) },
        ],
      });
      await until(() => got.length === 4, `the new last candles (got ${got.length})`);
    } finally {
      sub.unsubscribe();
    }
    expect(malformed().map((p) => `${p.partition}:${p.offset}`).sort()).toEqual(['0:1', '1:1']);
  }, 240_000);

  it('copies unusable records to the dead-letter topic, with where and why, and commits past them once written', async () => {
    const topic = unique('candles-dlq');
    const deadLetterTopic = unique('candles-dead');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 1 }, { topic: deadLetterTopic, partitions: 1 }] });
    const fiveMinutes = candleJson('B', 5).replace('"1m"', '"5m"');
    await producer.send({
      topic,
      messages: [
        { key: 'B', value: candleJson('B', 0) },
        // B's first candle fixes its interval (no `interval` option): a 5m candle of B cannot be used.
        { key: 'B', value: fiveMinutes, headers: { origin: 'feed-7' } },
        { key: 'B', value: '{' },
        { key: 'B', value: candleJson('B', 1) },
      ],
    });
    const groupId = unique('g');
    const problems: KafkaCandleProblem[] = [];
    const got: KafkaCandle[] = [];
    const sub = kafkaCandles({ brokers, topic, groupId, fromBeginning: true, autoAck: true, deadLetterTopic, onError: (p) => problems.push(p) }).subscribe((c) =>
      got.push(c),
    );
    try {
      await until(() => got.length === 2 && problems.length === 2, '2 candles and 2 problems');
      await untilCommitted(groupId, topic, { 0: '4' });
    } finally {
      sub.unsubscribe();
    }
    expect(problems.map((p) => [p.kind, p.offset])).toEqual([
      ['malformed', '1'],
      ['malformed', '2'],
    ]);
    expect(problems[0]!.message).toMatch(/offset 1: a 5m candle for B, but its first candle's interval is 1m/);
    const letters = await readTopic(deadLetterTopic);
    expect(letters.map((r) => [r.key, r.value])).toEqual([
      ['B', fiveMinutes],
      ['B', '{'],
    ]);
    expect(letters[0]!.headers).toEqual({
      origin: 'feed-7',
      'tickflow-error': problems[0]!.message,
      'tickflow-topic': topic,
      'tickflow-partition': '0',
      'tickflow-offset': '1',
    });
    expect(letters[1]!.headers['tickflow-offset']).toBe('2');
  });

  it('does not commit past an unusable record until its dead-letter copy is written', async () => {
    const topic = unique('candles-dlq-down');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 1 }] });
    await producer.send({
      topic,
      messages: [
        { key: 'B', value: candleJson('B', 0) },
        { key: 'B', value: '{' },
        { key: 'B', value: candleJson('B', 1) },
      ],
    });
    const groupId = unique('g');
    const problems: KafkaCandleProblem[] = [];
    const got: KafkaCandle[] = [];
    // A topic name the broker refuses: every write fails, and is retried.
    const deadLetterTopic = 'no such topic!';
    const sub = kafkaCandles({ brokers, topic, groupId, fromBeginning: true, autoAck: true, deadLetterTopic, onError: (p) => problems.push(p) }).subscribe((c) =>
      got.push(c),
    );
    try {
      await until(() => got.length === 2 && problems.filter((p) => p.kind === 'dead-letter').length >= 2, 'both candles and two failed copies');
      // Both candles are acknowledged, yet the group stays at the unusable record.
      await untilCommitted(groupId, topic, { 0: '1' });
    } finally {
      sub.unsubscribe();
    }
    expect(problems.filter((p) => p.kind === 'malformed').map((p) => p.offset)).toEqual(['1']);
    const failed = problems.find((p) => p.kind === 'dead-letter')!;
    expect(failed.topic).toBe(deadLetterTopic);
    expect(failed.message).toMatch(new RegExp(`^cannot write topic ${topic} partition 0 offset 1 to the dead-letter topic ${deadLetterTopic} \\(attempt 1`));
  });

  it('commits only what downstream acknowledged; the group re-reads the rest', async () => {
    const topic = unique('candles-ack');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 1 }] });
    const data = { A: series(10, 0), B: series(10, 5) };
    await publishCandles({ brokers, topic, source: replayCandles(data) }); // one partition: A0 B0 A1 B1 …
    const groupId = unique('g');
    const source = kafkaCandles({ brokers, topic, groupId, fromBeginning: true });
    const got: KafkaCandle[] = [];
    const sub = source.subscribe((c) => got.push(c));
    try {
      await until(() => got.length === 20, 'all 20 candles');
      expect(await committed(groupId, topic)).toEqual({ 0: '-1' }); // nothing acknowledged, nothing committed
      source.commit('A', data.A[4]!.timestamp); // A0..A4 processed
      got.filter((c) => c.symbol === 'B')[2]!.ack(); // B0..B2 processed
      // Done: A0 B0 A1 B1 A2 B2 A3 — B3 (offset 7) is not, so the group may move to offset 7 and no further.
      await untilCommitted(groupId, topic, { 0: '7' });
    } finally {
      sub.unsubscribe();
    }

    // The next member of the group starts at B3: nothing acknowledged is read again, nothing unacknowledged is lost.
    const again = await firstValueFrom(kafkaCandles({ brokers, topic, groupId, fromBeginning: true }));
    expect(again.origin.offset).toBe('7');
    expect(again.symbol).toBe('B');
    expect(again.candle).toEqual(data.B[3]);
  });

  it('pauses reading after maxPending unacknowledged candles and resumes as they are acknowledged', async () => {
    const topic = unique('candles-pending');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 1 }] });
    await publishCandles({ brokers, topic, source: replayCandles({ A: series(30, 0) }) });
    const got: KafkaCandle[] = [];
    const sub = kafkaCandles({ brokers, topic, groupId: unique('g'), fromBeginning: true, maxPending: 10 }).subscribe((c) => got.push(c));
    try {
      await until(() => got.length === 10, 'the first 10 candles');
      // Bounded: with nothing acknowledged, no 11th candle can arrive; acknowledging lets the rest through.
      expect(got.length).toBe(10);
      while (got.length < 30) {
        const n = got.length;
        got.at(-1)!.ack();
        await until(() => got.length > n, `candles after the ${n}th`);
        expect(got.length - n).toBeLessThanOrEqual(10);
      }
      await until(() => got.length === 30, 'all 30 candles');
    } finally {
      sub.unsubscribe();
    }
    expect(got.map((c) => c.candle.timestamp)).toEqual(series(30, 0).map((c) => c.timestamp));
  });
});
