import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SignalEventSchema, type SignalEvent } from '../../src/core/events.js';
import { ensureTopics, KafkaOptionsError, laneKey, routeByAction, toKafka } from '../../src/kafka.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { FlowGate } from '../../src/core/flow-gate.js';
import { replayCandles } from '../../src/sources/replay.js';
import { brokers, readTopic, series, strategies, unique, type ReadRecord } from './helpers.js';

const data = { 'AAA/USDT': series(720, 0), 'BBB/USDT': series(720, 11), 'CCC/USDT': series(720, 23) };
const run = (gate?: FlowGate) => backtest({ source: replayCandles(data), strategies, gate });

/** Counts how often the sink held the gate: proof that backpressure reached the source. */
class CountingGate extends FlowGate {
  holdCount = 0;
  override hold(): void {
    this.holdCount++;
    super.hold();
  }
}

function byLane(events: readonly SignalEvent[]): Map<string, SignalEvent[]> {
  const lanes = new Map<string, SignalEvent[]>();
  for (const e of events) {
    const key = laneKey(e);
    lanes.set(key, [...(lanes.get(key) ?? []), e]);
  }
  return lanes;
}

function parsed(records: readonly ReadRecord[]): SignalEvent[] {
  return records.map((r) => SignalEventSchema.parse(JSON.parse(r.value!)));
}

// Records of one partition come back in offset order; a lane lives in one partition, so per-lane order is comparable.
function recordsByLane(records: readonly ReadRecord[]): Map<string, SignalEvent[]> {
  const sorted = [...records].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  return byLane(parsed(sorted));
}

describe('toKafka', () => {
  it('fans a backtest out to Kafka: a consumer reads back exactly the same events, in per-lane order', async () => {
    const reference = await lastValueFrom(run().pipe(toArray()));
    const actions = new Set(reference.map((e) => e.action));
    expect(actions.has('opened') && actions.has('closed') && actions.has('partial_profit')).toBe(true);
    expect(byLane(reference).size).toBe(6);

    const topic = unique('signals');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 3 }] });
    const gate = new CountingGate();
    const passed = await lastValueFrom(
      run(gate).pipe(toKafka({ brokers, topic, gate, maxInFlight: 16, batchSize: 5 }), toArray()),
    );

    // Pass-through: everything, in the original order, once acknowledged; the buffer bound made the source wait.
    expect(passed).toEqual(reference);
    expect(gate.holdCount).toBeGreaterThan(0);
    expect(gate.blocked).toBe(false);

    const records = await readTopic(topic);
    expect(records).toHaveLength(reference.length);
    const lanes = recordsByLane(records);
    expect([...lanes.keys()].sort()).toEqual([...byLane(reference).keys()].sort());
    for (const [lane, events] of byLane(reference)) {
      expect(lanes.get(lane)).toEqual(JSON.parse(JSON.stringify(events)));
    }
    // Keyed by lane (so one partition per lane), with the action and event id as headers.
    const partitionsOfLane = new Map<string, Set<number>>();
    for (const r of records) {
      const e = SignalEventSchema.parse(JSON.parse(r.value!));
      expect(r.key).toBe(`${e.symbol}|${e.strategy}`);
      expect(r.headers).toEqual({ action: e.action, eventId: e.eventId });
      partitionsOfLane.set(r.key!, (partitionsOfLane.get(r.key!) ?? new Set()).add(r.partition));
    }
    for (const parts of partitionsOfLane.values()) expect(parts.size).toBe(1);
  });

  it('routes by action: closed signals to one topic, everything to another', async () => {
    const all = unique('signals');
    const closed = unique('signals-closed');
    const reference = await lastValueFrom(run().pipe(toArray()));
    const gate = new FlowGate();
    await lastValueFrom(
      run(gate).pipe(toKafka({ brokers, gate, route: routeByAction({ '*': all, closed }) }), toArray()),
    );

    const everything = parsed(await readTopic(all));
    expect(everything).toHaveLength(reference.length);
    expect(new Set(everything.map((e) => e.eventId))).toEqual(new Set(reference.map((e) => e.eventId)));

    const closedOnes = await readTopic(closed);
    const want = reference.filter((e) => e.action === 'closed');
    expect(want.length).toBeGreaterThan(0);
    expect(closedOnes.map((r) => r.headers.action)).toEqual(want.map(() => 'closed'));
    expect(new Set(parsed(closedOnes).map((e) => e.eventId))).toEqual(new Set(want.map((e) => e.eventId)));
  });

  it('passes events that route nowhere straight through, in order', async () => {
    const topic = unique('only-opened');
    const reference = await lastValueFrom(run().pipe(toArray()));
    const passed = await lastValueFrom(run().pipe(toKafka({ brokers, route: routeByAction({ opened: topic }) }), toArray()));
    expect(passed).toEqual(reference);
    const records = await readTopic(topic);
    expect(records.map((r) => r.headers.eventId).sort()).toEqual(
      reference.filter((e) => e.action === 'opened').map((e) => e.eventId).sort(),
    );
  });

  it('keeps produce requests below the broker size limit however many events are queued', async () => {
    // 1500 events of ~2 KB into one partition: 3 MB, which the broker (1 MiB per batch) refuses as one request.
    const topic = unique('big-events');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 1 }] });
    const events: SignalEvent[] = Array.from({ length: 1_500 }, (_, i) => ({
      action: 'error',
      eventId: `big|${i}`,
      symbol: 'AAA/USDT',
      strategy: 'big',
      now: i,
      message: `${i} ${'x'.repeat(2_000)}`,
    }));
    const passed = await lastValueFrom(from(events).pipe(toKafka({ brokers, topic, batchSize: 5_000, maxInFlight: 5_000, maxRetries: 0 }), toArray()));
    expect(passed).toEqual(events);
    const records = await readTopic(topic);
    expect(records.map((r) => r.headers.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('rejects bad options naming them', () => {
    expect(() => toKafka({ brokers, topic: 'x', route: () => 'y' })).toThrow(KafkaOptionsError);
    expect(() => toKafka({ topic: 'x' })).toThrow(/exactly one of 'brokers' and 'producer'/);
    expect(() => toKafka({ brokers: 'nonsense', topic: 'x' })).toThrow(/host:port/);
    expect(() => toKafka({ brokers, topic: 'x', maxInFlight: 0 } as never)).toThrow(/maxInFlight/);
    expect(() => toKafka({ brokers, topic: 'x', typo: 1 } as never)).toThrow(/unknown key\(s\) 'typo'/);
  });
});
