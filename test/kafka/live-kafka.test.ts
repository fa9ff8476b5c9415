import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../src/core/strategy.js';
import { IDLE_STATE } from '../../src/core/lane.js';
import { ensureTopics, publishCandles } from '../../src/kafka.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { tempStore } from '../support/temp-store.js';
import { brokers, series, strategies, T0, unique, until } from './helpers.js';
import { byId, config, MIN, startNode, untilCommittedToEnd, type Node } from './live-kafka-node.js';
import { deferredCleanups } from '../support/cleanups.js';

const COUNT = 240;
const data = Object.fromEntries(['A/USDT', 'B/USDT', 'C/USDT'].map((s, i) => [s, series(COUNT, i * 11)]));
const SYMBOLS = Object.keys(data);
const LAST = T0 + (COUNT - 1) * MIN;

const defer = deferredCleanups();

async function store() {
  const t = await tempStore({ noSync: true });
  defer(t.cleanup);
  return t;
}

async function candleTopic(): Promise<string> {
  const topic = unique('live-candles');
  await ensureTopics({ brokers, topics: [{ topic, partitions: 3 }] });
  const { published } = await publishCandles({ brokers, topic, source: replayCandles(data) });
  expect(published).toBe(COUNT * SYMBOLS.length);
  return topic;
}

/** A node of its own group that reads the whole topic without interruption: the reference run. */
async function uninterrupted(topic: string): Promise<Node> {
  const whole = await store();
  const reference = startNode(topic, unique('g'), whole.store);
  await until(() => SYMBOLS.every((sym) => reference.read(sym, LAST)), 'every candle read (reference)');
  await reference.finish();
  return reference;
}

describe('liveFromKafka', () => {
  it('gives the events of a backtest of the same candles, and commits every offset once checkpointed', async () => {
    const topic = await candleTopic();
    const t = await store();
    const groupId = unique('g');
    const node = startNode(topic, groupId, t.store);
    await until(() => SYMBOLS.every((sym) => node.read(sym, LAST)), 'every candle read');
    await node.finish();

    expect(node.events.filter((e) => e.action === 'error')).toEqual([]);
    expect(node.problems).toEqual([]);
    const actions = new Set(node.events.map((e) => e.action));
    for (const a of ['opened', 'closed', 'active']) expect(actions).toContain(a);
    // The same lanes fed the same candles by a backtest (lanes starting idle before the first candle).
    const replayed = await collect(
      backtest({
        source: replayCandles(data),
        strategies,
        config: { ...config, emitActive: true },
        lanes: { restore: () => ({ state: IDLE_STATE, lastTimestamp: T0 - MIN }) },
      }),
    );
    expect(byId(node.events)).toEqual(byId(replayed));
    expect(node.events.length).toBe(replayed.length);
    // Every lane is checkpointed at the last candle.
    for (const sym of SYMBOLS) for (const s of strategies) expect(t.store.readCheckpoint(s.name, sym)?.lastTimestamp).toBe(LAST);
    // …and so every offset is committed: a restart of the group has nothing to read again.
    await untilCommittedToEnd(topic, groupId);
  });

  it('without a changelog, writes the candle cache in batches (per cut, not per candle), and every candle read is cached', async () => {
    const topic = await candleTopic();
    const t = await store();
    // Counts the store's durable writes: candle cache writes and checkpoint cuts.
    let cacheWrites = 0;
    let cuts = 0;
    const candles = new Proxy(t.store.candles, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'putCandles') return (...args: unknown[]) => (cacheWrites++, (value as (...a: unknown[]) => unknown).apply(target, args));
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    const counted = new Proxy(t.store, {
      get: (target, prop) => {
        if (prop === 'candles') return candles;
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'writeCheckpoints') return (...args: unknown[]) => (cuts++, (value as (...a: unknown[]) => unknown).apply(target, args));
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    const node = startNode(topic, unique('g'), counted);
    await until(() => SYMBOLS.every((sym) => node.read(sym, LAST)), 'every candle read');
    await node.finish();
    expect(node.events.filter((e) => e.action === 'error')).toEqual([]);

    const read = COUNT * SYMBOLS.length;
    // A flush per cut writes at most one run of consecutive candles per symbol.
    expect(cacheWrites).toBeLessThanOrEqual(cuts * SYMBOLS.length);
    expect(cacheWrites).toBeLessThan(read / 2);
    for (const sym of SYMBOLS) {
      const cached = [...t.store.candles.readCandles(sym, '1m', T0, LAST + MIN)];
      expect(cached).toEqual(data[sym]);
    }
  });

  it('killed midway and restarted with the same store and group: the events of an uninterrupted run, nothing lost', async () => {
    const topic = await candleTopic();
    const reference = await uninterrupted(topic);
    const want = byId(reference.events);
    expect(want.size).toBe(reference.events.length); // no duplicates in an uninterrupted run

    const t = await store();
    const groupId = unique('g');
    // A cut only every 7 quiet candles: the kill lands between checkpoints and candles are read again.
    const killAt = `B/USDT@${T0 + 120 * MIN}`;
    const first = startNode(topic, groupId, t.store, { cutEvery: 7 });
    first.killWhen((symbol, ts) => `${symbol}@${ts}` === killAt);
    await until(() => first.read('B/USDT', T0 + 120 * MIN), 'the node read the candle it dies at');
    // Really midway: B died before running its candle 120, so no lane of B is checkpointed past candle 119.
    for (const s of strategies) expect(t.store.readCheckpoint(s.name, 'B/USDT')?.lastTimestamp ?? -Infinity).toBeLessThan(T0 + 120 * MIN);

    const reopened = await t.reopen();
    const second = startNode(topic, groupId, reopened, { cutEvery: 7 });
    await until(() => SYMBOLS.every((sym) => second.read(sym, LAST) || strategies.every((st) => reopened.readCheckpoint(st.name, sym)?.lastTimestamp === LAST)), 'every candle read after the restart');
    await second.finish();

    const all = [...first.events, ...second.events];
    expect(all.filter((e) => e.action === 'error')).toEqual([]);
    const got = byId(all);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    expect(got).toEqual(want);
    // Anything delivered twice was a re-delivery of the same event (checked in byId), and the second life did work.
    expect(second.events.length).toBeGreaterThan(0);
    for (const sym of SYMBOLS) for (const s of strategies) expect(reopened.readCheckpoint(s.name, sym)?.lastTimestamp).toBe(LAST);
  });

  it('drains: no new signal after the request, the held ones run until they close, then the node stops by itself', async () => {
    const topic = await candleTopic();
    const reference = await uninterrupted(topic);
    const want = byId(reference.events);

    // Drain while a lane of B holds an open signal that closes well later.
    const opened = reference.events.filter((e) => e.action === 'opened' && e.symbol === 'B/USDT');
    const closedAt = (id: string) => reference.events.find((e) => e.action === 'closed' && e.signal.id === id)?.now ?? Infinity;
    const held = opened.find((e) => e.action === 'opened' && closedAt(e.signal.id) - e.now >= 20 * MIN && closedAt(e.signal.id) <= LAST)!;
    expect(held).toBeDefined();
    const heldId = 'signal' in held ? held.signal.id : '';
    const drainAt = held.now + 5 * MIN; // `now` of the candle opening 1 minute earlier
    const t = await store();
    const node = startNode(topic, unique('g'), t.store);
    let mark = -1; // events released before the request (partitions are read in any order: not a time)
    node.drainWhen((symbol, ts) => {
      const now = symbol === 'B/USDT' && ts + MIN === drainAt;
      if (now) mark = node.events.length;
      return now;
    });
    await node.completed; // by itself: no finish()
    expect(node.monitor.phase).toBe('stopped');
    expect(node.monitor.busyLanes).toBe(0);

    expect(node.events.filter((e) => e.action === 'error')).toEqual([]);
    // Every event is one of the uninterrupted run's; no signal starts after the drain request …
    for (const [id, json] of byId(node.events)) expect(json).toBe(want.get(id));
    expect(mark).toBeGreaterThan(0);
    expect(node.events.slice(mark).filter((e) => e.action === 'opened' || e.action === 'scheduled')).toEqual([]);
    const signals = node.events.flatMap((e) => ('signal' in e ? [e.signal] : []));
    // … and every signal it held then was run to its close.
    expect(node.events.some((e) => e.action === 'closed' && e.signal.id === heldId)).toBe(true);
    const ids = new Set(signals.map((s) => s.id));
    for (const id of ids) expect(node.events.some((e) => (e.action === 'closed' || e.action === 'cancelled') && e.signal.id === id)).toBe(true);
  });

  it('a strategy that never answers on one symbol holds back only its own lane; stop waits only the grace', async () => {
    const topic = await candleTopic();
    const reference = await uninterrupted(topic);
    // Hangs on A/USDT from minute 10 on: with lanes that waited for each other, no lane of any symbol (and not
    // the consumer) would get past that candle.
    const hung: Strategy = {
      name: 'hung',
      interval: '1m',
      getSignal: (ctx) => (ctx.symbol === 'A/USDT' && ctx.now >= T0 + 10 * MIN ? new Promise<null>(() => {}) : null),
    };
    const t = await store();
    const node = startNode(topic, unique('g'), t.store, { strategies: [...strategies, hung], stopGraceMs: 50 });
    await until(() => SYMBOLS.every((sym) => node.read(sym, LAST)), 'every candle read while one ask hangs');
    // Every other lane ran every candle: its events are the reference's (hung opens nothing).
    await until(() => byId(node.events.filter((e) => e.strategy !== 'hung')).size === reference.events.length, 'the other lanes caught up');
    expect(byId(node.events.filter((e) => e.strategy !== 'hung'))).toEqual(byId(reference.events));
    await node.finish();
    // Once the grace is over, the hung ask and each one the lane makes catching up through the candles read before
    // the stop (all hanging too) is abandoned: one error each, every candle still run, nothing left waiting.
    const errors = node.events.filter((e) => e.action === 'error');
    expect(errors.map((e) => e.now)).toEqual(Array.from({ length: COUNT - 9 }, (_, i) => T0 + (10 + i) * MIN));
    for (const e of errors) {
      expect([e.strategy, e.symbol]).toEqual(['hung', 'A/USDT']);
      expect(e.message).toMatch(/the node is stopping \(grace 50 ms\)/);
    }
    expect(t.store.readCheckpoint('hung', 'A/USDT')!.lastTimestamp).toBe(LAST);
  });
});
