import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Strategy } from '../../src/core/strategy.js';
import { ensureTopics, publishCandles } from '../../src/kafka.js';
import { IDLE_STATE } from '../../src/core/lane.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { tempStore } from '../support/temp-store.js';
import { brokers, momentum, readTopic, series, strategies as periodic, T0, unique, until } from './helpers.js';
import { byId, config, MIN, startNode, untilCommittedPast, untilMembers, type Node } from './live-kafka-node.js';
import { deferredCleanups } from '../support/cleanups.js';

/**
 * `momentum` answering asynchronously: when a symbol comes back to a node, the node rebuilds its lanes while steps
 * of its other symbols may be waiting on this strategy.
 */
const slowMomentum: Strategy = {
  ...momentum,
  async getSignal(ctx) {
    const answer = await momentum.getSignal(ctx);
    await new Promise((r) => setTimeout(r, 1));
    return answer;
  },
};

const COUNT = 240;
// Two symbols in each of the topic's two partitions (kafkajs's default partitioner, checked below).
const SYMBOLS = ['A/USDT', 'B/USDT', 'C/USDT', 'D/USDT'];
const data: Record<string, Candle[]> = Object.fromEntries(SYMBOLS.map((s, i) => [s, series(COUNT, i * 13)]));
const at = (i: number) => T0 + i * MIN;
const LAST = at(COUNT - 1);

const defer = deferredCleanups();

async function store() {
  const t = await tempStore({ noSync: true });
  defer(t.cleanup);
  return t;
}

/** Publishes candles `from` ≤ i < `to` of every symbol. */
async function publish(topic: string, from: number, to: number): Promise<void> {
  const slice = Object.fromEntries(SYMBOLS.map((s) => [s, data[s]!.slice(from, to)]));
  const { published } = await publishCandles({ brokers, topic, source: replayCandles(slice) });
  expect(published).toBe((to - from) * SYMBOLS.length);
}

/**
 * The first index ≥ `from` such that every symbol has a lane holding an open signal across candle `index - 1`:
 * the first phase ends there, so the lanes that move to the other node carry real state (stale copies would show).
 */
async function splitWithOpenSignals(from: number): Promise<number> {
  const events = await collect(
    backtest({ source: replayCandles(data), strategies: periodic, config, lanes: { restore: () => ({ state: IDLE_STATE, lastTimestamp: T0 - MIN }) } }),
  );
  const spans: Array<{ symbol: string; opened: number; closed: number }> = [];
  const open = new Map<string, number>();
  for (const e of events) {
    const lane = `${e.strategy}|${e.symbol}`;
    if (e.action === 'opened') open.set(lane, e.now);
    if (e.action === 'closed' && open.has(lane)) {
      spans.push({ symbol: e.symbol, opened: open.get(lane)!, closed: e.now });
      open.delete(lane);
    }
  }
  for (let i = from; i < COUNT; i++) {
    const ok = SYMBOLS.every((s) => spans.some((x) => x.symbol === s && x.opened <= at(i - 3) && x.closed >= at(i + 3)));
    if (ok) return i;
  }
  throw new Error('no candle at which every symbol has an open signal');
}

const symbolsOf = (reads: readonly string[]) => new Set(reads.map((r) => r.slice(0, r.indexOf('@'))));
const readBy = (nodes: readonly Node[], symbol: string, ts: number) => nodes.some((n) => n.read(symbol, ts));

const modes = [
  { mode: 'one store shared by the nodes of one process', changelog: false, strategies: [...periodic, momentum] },
  { mode: 'a store per node, lane state in a changelog topic', changelog: true, strategies: [...periodic, momentum] },
  { mode: 'a changelog, and an asynchronous strategy', changelog: true, strategies: [...periodic, slowMomentum] },
];

describe.each(modes)('liveFromKafka: several nodes in one consumer group ($mode)', ({ changelog: withChangelog, strategies }) => {
  it('splits the symbols; a node that dies hands its lanes over from the checkpoint, nothing lost or duplicated', async () => {
    const partition = Partitioners.DefaultPartitioner();
    const meta = [0, 1].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const partitions = SYMBOLS.map((s) => partition({ topic: 't', partitionMetadata: meta, message: { key: s, value: null } }));
    expect(new Set(partitions)).toEqual(new Set([0, 1]));

    const split = await splitWithOpenSignals(40);
    expect(split).toBeLessThan(140);
    const topic = unique('scale-candles');
    const changelogTopic = unique('scale-changelog');
    await ensureTopics({
      brokers,
      topics: [
        { topic, partitions: 2 },
        { topic: changelogTopic, partitions: 2, config: { 'cleanup.policy': 'compact' } },
      ],
    });
    // Either one store object for both nodes of this process, or each node its own (as on separate machines).
    const storeOne = await store();
    const storeTwo = withChangelog ? await store() : storeOne;
    const changelog = withChangelog ? { topic: changelogTopic } : undefined;
    const groupId = unique('g');

    // Phase 1: one node, every symbol.
    const one = startNode(topic, groupId, storeOne.store, { cutEvery: 7, changelog: changelog && { ...changelog, nodeId: `${groupId}-one` }, strategies });
    await publish(topic, 0, split);
    await until(() => SYMBOLS.every((s) => one.read(s, at(split - 1))), 'node one read the first candles');

    // Phase 2: a second node joins; the group splits the partitions, and so the symbols. With a changelog, node
    // two has never seen its symbols: their lanes and price history reach it through Kafka alone.
    const two = startNode(topic, groupId, storeTwo.store, { cutEvery: 7, changelog: changelog && { ...changelog, nodeId: `${groupId}-two` }, strategies });
    await untilMembers(groupId, 2);
    const [oneFrom, twoFrom] = [one.reads.length, two.reads.length];
    await publish(topic, split, 160);
    await until(() => SYMBOLS.every((s) => readBy([one, two], s, at(159))), 'the nodes read the candles up to 160');
    const oneSymbols = symbolsOf(one.reads.slice(oneFrom));
    const twoSymbols = symbolsOf(two.reads.slice(twoFrom));
    expect([...oneSymbols].filter((s) => twoSymbols.has(s))).toEqual([]); // disjoint
    expect(new Set([...oneSymbols, ...twoSymbols])).toEqual(new Set(SYMBOLS)); // covering
    expect(oneSymbols.size).toBe(2);
    expect(twoSymbols.size).toBe(2);

    // Phase 3: node two dies midway through the last candles (a crash: no last checkpoint, nothing left committed
    // beyond its last cut); node one takes its partition and continues its lanes from the checkpoints — not from
    // its own stale ones of phase 1: node two's commits reach far past them first.
    const victim = [...twoSymbols][0]!;
    await untilCommittedPast(topic, groupId, victim, at(150));
    two.killWhen((symbol, ts) => symbol === victim && ts === at(200));
    const oneAt = one.reads.length;
    await publish(topic, 160, COUNT);
    await until(() => two.read(victim, at(200)), 'node two reached the candle it dies at');
    await until(() => SYMBOLS.every((s) => one.read(s, LAST)), 'node one read every last candle');
    await one.finish();
    // Node one ran node two's symbols after the crash, from where node two had committed them.
    for (const s of twoSymbols) expect(one.reads.slice(oneAt)).toContain(`${s}@${LAST}`);
    const resumedAt = Number(one.reads.slice(oneAt).find((r) => r.startsWith(`${victim}@`))!.split('@')[1]);
    expect(resumedAt).toBeGreaterThan(at(150));

    // An uninterrupted single node on the same topic: the reference.
    const alone = await store();
    const reference = startNode(topic, unique('g'), alone.store, { strategies });
    await until(() => SYMBOLS.every((s) => reference.read(s, LAST)), 'the reference read every candle');
    await reference.finish();
    const want = byId(reference.events);
    expect(want.size).toBe(reference.events.length);
    expect(reference.events.some((e) => e.strategy === momentum.name && e.action === 'opened')).toBe(true);

    const all = [...one.events, ...two.events];
    expect(all.filter((e) => e.action === 'error')).toEqual([]);
    for (const n of [one, two, reference]) expect(n.problems.filter((p) => p.kind === 'malformed' || p.kind === 'changelog')).toEqual([]);
    // No lost and no duplicated signal: the same set of events; an id delivered twice is the same event (byId).
    const got = byId(all);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    expect(got).toEqual(want);
    for (const s of SYMBOLS) for (const st of strategies) expect(storeOne.store.readCheckpoint(st.name, s)?.lastTimestamp).toBe(LAST);
    if (withChangelog) {
      // The compacted topic's newest record of every lane is its last checkpoint.
      const newest = new Map<string, number>();
      for (const r of await readTopic(changelogTopic)) newest.set(r.key!, JSON.parse(r.value!).checkpoint.lastTimestamp);
      expect(newest.size).toBe(SYMBOLS.length * strategies.length);
      expect([...newest.values()].every((t) => t === LAST)).toBe(true);
    }
  });
});
