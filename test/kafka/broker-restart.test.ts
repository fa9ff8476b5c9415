import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { SignalEventSchema, type SignalEvent } from '../../src/core/events.js';
import { ensureTopics, kafkaCandles, laneKey, publishCandles, toKafka, type KafkaCandle, type KafkaCandleProblem } from '../../src/kafka.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { FlowGate } from '../../src/core/flow-gate.js';
import { replayCandles } from '../../src/sources/replay.js';
import { kafkaScript } from './broker.js';
import { tempStore } from '../support/temp-store.js';
import { brokers, readTopic, restartable, series, strategies, unique, until } from './helpers.js';
import { byId, startNode, untilCommittedPast } from './live-kafka-node.js';

const COUNT = 600;
const PAUSE_AT = 300;

/** A symbol's candles that stop half-way until `resume` settles: the test takes the broker down meanwhile. */
async function* pausing(candles: readonly Candle[], resume: Promise<void>): AsyncGenerator<Candle> {
  for (let i = 0; i < candles.length; i++) {
    if (i === PAUSE_AT) await resume;
    yield candles[i]!;
  }
}

const data = { 'AAA/USDT': series(COUNT, 0), 'BBB/USDT': series(COUNT, 11) };

describe.skipIf(!restartable)('toKafka across a broker restart', () => {
  it('retries with backoff, reports error events, and loses nothing', { timeout: 300_000 }, async () => {
    const reference = await lastValueFrom(backtest({ source: replayCandles(data), strategies }).pipe(toArray()));
    const after = reference.filter((e) => e.now >= data['AAA/USDT'][PAUSE_AT]!.timestamp);
    expect(after.length).toBeGreaterThan(10); // the second half has events to publish while the broker is down

    const topic = unique('signals-restart');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 2 }] });
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const source = replayCandles(Object.fromEntries(Object.entries(data).map(([s, cs]) => [s, pausing(cs, resumed)])));
    const gate = new FlowGate();
    const out: SignalEvent[] = [];
    let failure: unknown;
    let completed = false;
    backtest({ source, strategies, gate })
      .pipe(toKafka({ brokers, topic, gate, maxInFlight: 20, batchSize: 5 }))
      .subscribe({ next: (e) => out.push(e), error: (e) => (failure = e), complete: () => (completed = true) });

    const sinkErrors = () => out.filter((e) => e.action === 'error' && e.symbol === '*');
    try {
      await until(() => out.length > 0, 'the first acknowledged event');
      await kafkaScript('down');
      resume();
      await until(() => sinkErrors().length > 0, 'an error event from the sink', 120_000);
    } finally {
      await kafkaScript('up');
    }
    await until(() => completed || failure !== undefined, 'the run to finish', 120_000);
    expect(failure).toBeUndefined();

    const errors = sinkErrors();
    expect(errors[0]).toMatchObject({ action: 'error', strategy: '*' });
    if (errors[0]!.action === 'error') expect(errors[0]!.message).toMatch(/toKafka: publishing \d+ event\(s\) to .* failed \(attempt 1, retrying in \d+ ms\): KafkaJS/);
    expect(SignalEventSchema.parse(errors[0])).toEqual(errors[0]);

    // Downstream: every event, in order, each once; the sink's error events in between.
    expect(out.filter((e) => e.symbol !== '*')).toEqual(reference);

    // In Kafka: every event; a retried batch the broker had already written may appear twice (same eventId), never
    // out of lane order.
    const records = (await readTopic(topic)).sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    const events = records.map((r) => SignalEventSchema.parse(JSON.parse(r.value!)));
    const firstSeen = new Map<string, SignalEvent>();
    for (const e of events) if (!firstSeen.has(e.eventId)) firstSeen.set(e.eventId, e);
    expect(firstSeen.size).toBe(reference.length);
    const lanes = (list: Iterable<SignalEvent>) => {
      const m = new Map<string, string[]>();
      for (const e of list) m.set(laneKey(e), [...(m.get(laneKey(e)) ?? []), e.eventId]);
      return m;
    };
    expect(lanes(firstSeen.values())).toEqual(lanes(reference));
    console.log(`broker restart: ${errors.length} error event(s); ${events.length - reference.length} duplicate record(s)`);
  });

  it('kafkaCandles keeps reading across a broker restart: every candle, once, in order per symbol', { timeout: 300_000 }, async () => {
    const topic = unique('candles-restart');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 2 }] });
    const candles = { A: series(40, 0), B: series(40, 3) };
    const half = (from: number, to: number) => replayCandles({ A: candles.A.slice(from, to), B: candles.B.slice(from, to) });
    await publishCandles({ brokers, topic, source: half(0, 20) });

    const got: KafkaCandle[] = [];
    const problems: KafkaCandleProblem[] = [];
    const sub = kafkaCandles({ brokers, topic, groupId: unique('g'), fromBeginning: true, autoAck: true, onError: (p) => problems.push(p), sessionTimeout: 6_000 }).subscribe(
      (c) => got.push(c),
    );
    try {
      await until(() => got.length === 40, 'the first half');
      await kafkaScript('down');
    } finally {
      await kafkaScript('up');
    }
    try {
      await publishCandles({ brokers, topic, source: half(20, 40) });
      await until(() => got.length >= 80, 'the second half', 120_000);
    } finally {
      sub.unsubscribe();
    }
    const bySymbol = (s: string) => got.filter((c) => c.symbol === s).map((c) => c.candle.timestamp);
    expect(bySymbol('A')).toEqual(candles.A.map((c) => c.timestamp));
    expect(bySymbol('B')).toEqual(candles.B.map((c) => c.timestamp));
    expect(problems.filter((p) => p.kind !== 'consumer')).toEqual([]);
  });

  it('liveFromKafka with a changelog: checkpoints cut while the broker is down are retried; nothing lost', { timeout: 300_000 }, async () => {
    const topic = unique('live-restart');
    const changelog = unique('changelog-restart');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 2 }, { topic: changelog, partitions: 2, config: { 'cleanup.policy': 'compact' } }] });
    await publishCandles({ brokers, topic, source: replayCandles(data) });
    const last = data['AAA/USDT'][COUNT - 1]!.timestamp;
    const symbols = Object.keys(data);

    const stores = [await tempStore({ noSync: true }), await tempStore({ noSync: true })];
    try {
      const reference = startNode(topic, unique('g'), stores[0]!.store);
      await until(() => symbols.every((s) => reference.read(s, last)), 'the reference to read every candle');
      await reference.finish();

      // Held from the start: the node's consumer waits with its first batch in hand while the broker goes down,
      // then runs it, and its checkpoints meet a broker that is not there.
      const gate = new FlowGate();
      gate.hold();
      const groupId = unique('g');
      const node = startNode(topic, groupId, stores[1]!.store, { changelog: { topic: changelog }, gate, cutEvery: 7 });
      const failedWrites = () => node.problems.filter((p) => p.kind === 'changelog' && /write of \d+ checkpoint\(s\) failed/.test(p.message));
      try {
        await until(() => node.monitor.phase === 'running', 'the node to start');
        await new Promise((r) => setTimeout(r, 2_000)); // let it join and fetch (no assertion rests on this)
        await kafkaScript('down');
        gate.release();
        await until(() => failedWrites().length > 0, 'a failed changelog write', 120_000);
      } finally {
        await kafkaScript('up');
      }
      await until(() => symbols.every((s) => node.read(s, last)), 'the node to read every candle', 120_000);
      // Commits resume after the restart (kafkajs drops those asked for while its consumer rejoins).
      await untilCommittedPast(topic, groupId, 'AAA/USDT', data['AAA/USDT'][COUNT - 20]!.timestamp);
      await node.finish();

      expect(node.events.filter((e) => e.action === 'error')).toEqual([]);
      const got = byId(node.events);
      const want = byId(reference.events);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      expect(got).toEqual(want);
      // The changelog holds every lane at its last candle.
      const newest = new Map<string, number>();
      for (const r of await readTopic(changelog)) newest.set(r.key!, JSON.parse(r.value!).checkpoint.lastTimestamp);
      expect(newest.size).toBe(symbols.length * strategies.length);
      expect([...newest.values()].every((t) => t === last)).toBe(true);
    } finally {
      for (const s of stores) await s.cleanup();
    }
  });

  it('liveFromKafka stopping while the changelog is unreachable: waits for it, and a second stop gives up the wait', { timeout: 300_000 }, async () => {
    const topic = unique('live-stop');
    const changelog = unique('changelog-stop');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 2 }, { topic: changelog, partitions: 2, config: { 'cleanup.policy': 'compact' } }] });
    await publishCandles({ brokers, topic, source: replayCandles(data) });
    const t = await tempStore({ noSync: true });
    try {
      const gate = new FlowGate();
      gate.hold(); // as above: the first batch is run while the broker is down
      const node = startNode(topic, unique('g'), t.store, { changelog: { topic: changelog }, gate, cutEvery: 7 });
      let completed = false;
      void node.completed.then(() => (completed = true));
      try {
        await until(() => node.monitor.phase === 'running', 'the node to start');
        await new Promise((r) => setTimeout(r, 2_000));
        await kafkaScript('down');
        gate.release();
        await until(() => node.problems.some((p) => p.kind === 'changelog' && /write of/.test(p.message)), 'a failed changelog write', 120_000);
        node.stop('detach');
        // Still waiting for the changelog: what it has not acknowledged must not be committed (nothing would be lost,
        // but the wait is what keeps a clean stop from re-reading).
        await new Promise((r) => setTimeout(r, 1_000));
        expect(completed).toBe(false);
        node.stop('detach');
        await until(() => completed, 'the node to stop after the second request', 30_000);
      } finally {
        await kafkaScript('up');
      }
      // The lanes' state is in the node's own store: a restart resumes from it.
      expect(t.store.checkpoints().length).toBeGreaterThan(0);
    } finally {
      await t.cleanup();
    }
  });
});
