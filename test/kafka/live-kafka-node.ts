import { Subject, type Subscription } from 'rxjs';
import { expect } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import type { Interval } from '../../src/core/intervals.js';
import type { Strategy } from '../../src/core/strategy.js';
import type { FlowGate } from '../../src/core/flow-gate.js';
import { liveFromKafka, type KafkaCandleProblem } from '../../src/kafka.js';
import { LiveMonitor, type StopMode } from '../../src/live.js';
import type { LmdbStore } from '../../src/lmdb.js';
import { brokers, kafka, readTopic, strategies } from './helpers.js';

export const MIN = 60_000;
export const config = { historyCandles: 60 };

/** Waits (bounded) until the group's committed offsets are the topic's end offsets. */
export async function untilCommittedToEnd(topic: string, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // An empty partition (no symbol hashed to it) has nothing to commit.
    const ends = JSON.stringify(Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high === '0' ? '-1' : p.high])));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = JSON.stringify(Object.fromEntries(t!.partitions.map((p) => [p.partition, p.offset])));
      if (committed === ends) return;
      if (Date.now() > deadline) throw new Error(`offsets of ${groupId} stayed ${committed}, want ${ends}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Waits (bounded) until the group has committed the candle record of `symbol` at `timestamp` (and so all before it). */
export async function untilCommittedPast(topic: string, groupId: string, symbol: string, timestamp: number): Promise<void> {
  const record = (await readTopic(topic)).find((r) => {
    const m = JSON.parse(r.value!) as { symbol: string; candle: { timestamp: number } };
    return m.symbol === symbol && m.candle.timestamp === timestamp;
  });
  if (record === undefined) throw new Error(`no record of ${symbol} at ${timestamp} on ${topic}`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = BigInt(t!.partitions.find((p) => p.partition === record.partition)!.offset);
      if (committed > BigInt(record.offset)) return;
      if (Date.now() > deadline) throw new Error(`${groupId} stayed at offset ${committed} of partition ${record.partition}, want past ${record.offset}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Waits (bounded) until the group is stable with `count` members: every member has its partitions. */
export async function untilMembers(groupId: string, count: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      const g = groups[0]!;
      if (g.state === 'Stable' && g.members.length === count) return;
      if (Date.now() > deadline) throw new Error(`group ${groupId} stayed ${g.state} with ${g.members.length} member(s), want ${count}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

export interface Node {
  readonly events: SignalEvent[];
  /** Every candle the node read, as `symbol@timestamp`, in order. */
  readonly reads: string[];
  /** Skipped records and consumer or commit failures the source reported. */
  readonly problems: KafkaCandleProblem[];
  /** Whether this node has read (and, strategies being synchronous, run) the candle of `symbol` at `timestamp`. */
  read(symbol: string, timestamp: number): boolean;
  /** Unsubscribe the node at once (a crash) when it reads a candle for which `when` holds, before running it. */
  killWhen(when: (symbol: string, timestamp: number) => boolean): void;
  /** Ask the node to drain when it reads a candle for which `when` holds, before running it. */
  drainWhen(when: (symbol: string, timestamp: number) => boolean): void;
  /** Ask the node to stop (as SIGTERM does in the CLI). */
  stop(mode: StopMode): void;
  /** Resolves when the node's stream completes (by itself after a drain, or after `finish`). */
  readonly completed: Promise<void>;
  readonly monitor: LiveMonitor;
  /** Stop cleanly (last cut, commit) and wait for completion. */
  finish(): Promise<void>;
}

export interface NodeOptions {
  readonly cutEvery?: number;
  readonly changelog?: { readonly topic: string; readonly nodeId?: string };
  readonly strategies?: readonly Strategy[];
  /** Shared with the source: holding it pauses the node's reading. */
  readonly gate?: FlowGate;
  /** The topic's candle interval (records of another interval are skipped). */
  readonly interval?: Interval;
  /** Once stopping, how long a thinking strategy may still take. */
  readonly stopGraceMs?: number;
}

/**
 * A `liveFromKafka` node on `store`. Its monitor is told of every candle just before the lanes run it: watching
 * that shows the node's progress without any timing.
 */
export function startNode(topic: string, groupId: string, store: LmdbStore, extra: NodeOptions = {}): Node {
  const events: SignalEvent[] = [];
  const reads: string[] = [];
  const problems: KafkaCandleProblem[] = [];
  const seen = new Set<string>();
  const stop = new Subject<StopMode>();
  let kill: ((symbol: string, timestamp: number) => boolean) | null = null;
  let drain: ((symbol: string, timestamp: number) => boolean) | null = null;
  let done!: () => void;
  let failed!: (err: unknown) => void;
  const completed = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
  class Watch extends LiveMonitor {
    override candle(symbol: string, timestamp: number, warmup: boolean): void {
      super.candle(symbol, timestamp, warmup);
      if (warmup) return;
      seen.add(`${symbol}@${timestamp}`);
      reads.push(`${symbol}@${timestamp}`);
      if (kill?.(symbol, timestamp)) sub.unsubscribe();
      if (drain?.(symbol, timestamp)) stop.next('drain');
    }
  }
  const monitor = new Watch();
  const sub: Subscription = liveFromKafka({
    kafka: { brokers, topic, groupId, fromBeginning: true, sessionTimeout: 10_000, interval: extra.interval },
    strategies: extra.strategies ?? strategies,
    store,
    monitor,
    config,
    stop,
    onError: (p) => problems.push(p),
    cutEvery: extra.cutEvery,
    gate: extra.gate,
    changelog: extra.changelog,
    stopGraceMs: extra.stopGraceMs,
  }).subscribe({ next: (e) => events.push(e), error: failed, complete: done });
  return {
    events,
    reads,
    problems,
    read: (symbol, timestamp) => seen.has(`${symbol}@${timestamp}`),
    killWhen: (when) => (kill = when),
    drainWhen: (when) => (drain = when),
    stop: (mode) => stop.next(mode),
    completed,
    monitor,
    finish: async () => {
      stop.next('detach');
      await completed;
    },
  };
}

/**
 * Events by `eventId`; an id seen twice must be the very same event (a re-delivery). Stake and profit are left out:
 * a Kafka node's account sees its share of the symbols in the order it reads their partitions, so percentage stakes
 * are not those of a time-merged backtest (README, Kafka: the account on Kafka nodes); everything else must match.
 */
export function byId(events: readonly SignalEvent[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of events) {
    const { stake: _stake, profit: _profit, ...rest } = e as SignalEvent & { stake?: number; profit?: number };
    const json = JSON.stringify(rest);
    const known = map.get(e.eventId);
    if (known !== undefined) expect(json).toBe(known);
    map.set(e.eventId, json);
  }
  return map;
}
