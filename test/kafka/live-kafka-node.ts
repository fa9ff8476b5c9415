import { Subject, type Subscription } from 'rxjs';
import { expect } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { liveFromKafka, type KafkaCandleProblem } from '../../src/kafka.js';
import type { StopMode } from '../../src/live.js';
import type { LmdbStore } from '../../src/lmdb.js';
import type { CandleCache } from '../../src/store/types.js';
import { brokers, kafka, strategies } from './helpers.js';

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
  /** Stop cleanly (last cut, commit) and wait for completion. */
  finish(): Promise<void>;
}

/**
 * A `liveFromKafka` node on `store`. It caches every candle it reads just before running it: watching those writes
 * (through a proxy of the store) shows its progress without any timing.
 */
export function startNode(topic: string, groupId: string, s: LmdbStore, extra: { cutEvery?: number } = {}): Node {
  const events: SignalEvent[] = [];
  const reads: string[] = [];
  const problems: KafkaCandleProblem[] = [];
  const seen = new Set<string>();
  const stop = new Subject<StopMode>();
  let kill: ((symbol: string, timestamp: number) => boolean) | null = null;
  let done!: () => void;
  let failed!: (err: unknown) => void;
  const completed = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
  const candles: CandleCache = {
    putCandles: (symbol, interval, list, covered) => {
      s.candles.putCandles(symbol, interval, list, covered);
      for (const c of list) {
        seen.add(`${symbol}@${c.timestamp}`);
        reads.push(`${symbol}@${c.timestamp}`);
        if (kill?.(symbol, c.timestamp)) sub.unsubscribe();
      }
    },
    readCandles: (...args) => s.candles.readCandles(...args),
    coveredRanges: (...args) => s.candles.coveredRanges(...args),
    missingRanges: (...args) => s.candles.missingRanges(...args),
  };
  const watched = new Proxy(s, {
    get: (target, prop) => {
      if (prop === 'candles') return candles;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const sub: Subscription = liveFromKafka({
    kafka: { brokers, topic, groupId, fromBeginning: true, sessionTimeout: 10_000 },
    strategies,
    store: watched,
    config,
    stop,
    onError: (p) => problems.push(p),
    ...extra,
  }).subscribe({ next: (e) => events.push(e), error: failed, complete: done });
  return {
    events,
    reads,
    problems,
    read: (symbol, timestamp) => seen.has(`${symbol}@${timestamp}`),
    killWhen: (when) => (kill = when),
    finish: async () => {
      stop.next('detach');
      await completed;
    },
  };
}

/** Events by `eventId`; an id seen twice must be the very same event (a re-delivery). */
export function byId(events: readonly SignalEvent[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of events) {
    const json = JSON.stringify(e);
    const known = map.get(e.eventId);
    if (known !== undefined) expect(json).toBe(known);
    map.set(e.eventId, json);
  }
  return map;
}
