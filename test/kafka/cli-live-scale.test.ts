import { ConfigResourceTypes } from 'kafkajs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { LiveStatus } from '../../src/live.js';
import { ensureTopics, publishCandles } from '../../src/kafka.js';
import { replayCandles } from '../../src/sources/replay.js';
import { buildCli, httpGet, readEvents, spawnLive, type NodeProcess } from '../e2e/live-node.js';
import { scratch, STRATEGIES_FILE } from './cli-fixtures.js';
import { brokers, kafka, readTopic, series, T0, unique, until } from './helpers.js';
import { byId, MIN, untilCommittedPast, untilMembers } from './live-kafka-node.js';

const COUNT = 240;
const SYMBOLS = ['A/USDT', 'B/USDT', 'C/USDT', 'D/USDT'];
const data: Record<string, Candle[]> = Object.fromEntries(SYMBOLS.map((s, i) => [s, series(COUNT, i * 13)]));
const at = (i: number) => T0 + i * MIN;
const LAST = at(COUNT - 1);

let cli: { cli: string; cleanup: () => void };
const tmp = scratch('tickflow-kafka-nodes');
const running: NodeProcess[] = [];
beforeAll(async () => {
  cli = await buildCli();
}, 120_000);
afterAll(() => {
  for (const n of running) if (!n.hasExited()) n.child.kill('SIGKILL');
  cli?.cleanup();
  tmp.remove();
});

async function publish(topic: string, from: number, to: number): Promise<void> {
  const slice = Object.fromEntries(SYMBOLS.map((s) => [s, data[s]!.slice(from, to)]));
  const { published } = await publishCandles({ brokers, topic, source: replayCandles(slice) });
  expect(published).toBe((to - from) * SYMBOLS.length);
}

interface CliNode {
  readonly process: NodeProcess;
  readonly events: () => ReturnType<typeof readEvents>;
  /** The node's /healthz snapshot. */
  status(): Promise<LiveStatus>;
  /** Symbols the node runs now, with their newest candle. */
  owned(): Promise<Map<string, number | null>>;
}

/** `tickflow live` as its own process, with its own store, fed by the candle topic through the group. */
async function startCliNode(name: string, topic: string, groupId: string, changelog: string): Promise<CliNode> {
  const config = tmp.file(
    `${name}.mjs`,
    `import periodic, { momentum } from ${JSON.stringify(STRATEGIES_FILE)};
export const kafka = { brokers: '${brokers}', topic: '${topic}', groupId: '${groupId}', changelog: '${changelog}', nodeId: '${groupId}-${name}', fromBeginning: true, sessionTimeout: 10000 };
export const strategies = [...periodic, momentum];
export const store = ${JSON.stringify(join(tmp.dir, `${name}-store`))};
export const config = { historyCandles: 60 };
`,
  );
  const eventsFile = join(tmp.dir, `${name}.jsonl`);
  const process = spawnLive(cli.cli, config, ['--http', '0', '--events', eventsFile, '--detach'], {});
  running.push(process);
  const port = await process.port();
  const status = async () => JSON.parse((await httpGet(port, '/healthz')).body) as LiveStatus;
  return {
    process,
    events: () => readEvents(eventsFile),
    status,
    owned: async () => new Map(Object.entries((await status()).symbols).map(([s, v]) => [s, v.lastCandle])),
  };
}

/** Polls the nodes' status until `condition` holds (bounded). */
async function untilStatus(nodes: readonly CliNode[], condition: (owned: Array<Map<string, number | null>>) => boolean, what: string): Promise<void> {
  let ok = false;
  const deadline = Date.now() + 90_000;
  while (!ok) {
    const owned = await Promise.all(nodes.map((n) => (n.process.hasExited() ? new Map<string, number | null>() : n.owned())));
    ok = condition(owned);
    if (!ok && Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(owned.map((m) => [...m]))}`);
    if (!ok) await new Promise((r) => setTimeout(r, 100));
  }
}

const reached = (owned: Map<string, number | null>, symbol: string, ts: number) => (owned.get(symbol) ?? -Infinity) >= ts;

describe('tickflow live fed by Kafka: nodes in separate processes, each with its own store', () => {
  it('split the symbols; a SIGKILLed node hands its lanes over through the changelog, nothing lost or duplicated', async () => {
    const topic = unique('nodes-candles');
    const changelog = unique('nodes-changelog'); // created by the nodes, compacted
    await ensureTopics({ brokers, topics: [{ topic, partitions: 2 }] });
    const groupId = unique('nodes');

    await publish(topic, 0, 120);
    const a = await startCliNode('a', topic, groupId, changelog);
    await a.process.line(/running: candles from Kafka topic/);
    await untilStatus([a], ([owned]) => SYMBOLS.every((s) => reached(owned!, s, at(119))), 'node a to read the first candles');

    // A second node joins: the group gives it one partition, and so half the symbols.
    const b = await startCliNode('b', topic, groupId, changelog);
    await untilMembers(groupId, 2);
    await publish(topic, 120, 180);
    await untilStatus([a, b], (o) => SYMBOLS.every((s) => o.some((m) => reached(m, s, at(179)))), 'the nodes to read the candles up to 180');
    const [ownedA, ownedB] = [await a.owned(), await b.owned()];
    expect([...ownedA.keys()].filter((s) => ownedB.has(s))).toEqual([]);
    expect(new Set([...ownedA.keys(), ...ownedB.keys()])).toEqual(new Set(SYMBOLS));
    expect(ownedB.size).toBe(2);

    // Node b's progress is committed (so node a must take its lanes from the changelog, not re-run them), then it
    // is killed while it works through the last candles.
    const victim = [...ownedB.keys()][0]!;
    await untilCommittedPast(topic, groupId, victim, at(170));
    await publish(topic, 180, COUNT);
    await untilStatus([b], ([owned]) => reached(owned!, victim, at(200)), 'node b to pass candle 200');
    b.process.child.kill('SIGKILL');
    expect((await b.process.exited).signal).toBe('SIGKILL');

    await untilStatus([a], ([owned]) => SYMBOLS.every((s) => reached(owned!, s, LAST)), 'node a to run every symbol to the end');
    a.process.child.kill('SIGTERM');
    expect((await a.process.exited).code).toBe(0);

    // An uninterrupted node of its own group, alone: the reference.
    const ref = await startCliNode('ref', topic, unique('ref'), unique('ref-changelog'));
    await untilStatus([ref], ([owned]) => SYMBOLS.every((s) => reached(owned!, s, LAST)), 'the reference to run every symbol');
    ref.process.child.kill('SIGTERM');
    expect((await ref.process.exited).code).toBe(0);

    const want = byId(ref.events());
    expect(want.size).toBe(ref.events().length);
    expect(ref.events().some((e) => e.strategy === 'momentum' && e.action === 'opened')).toBe(true);
    const all = [...a.events(), ...b.events()];
    expect(all.filter((e) => e.action === 'error')).toEqual([]);
    const got = byId(all);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    expect(got).toEqual(want);

    // The nodes created the changelog compacted, with the candle topic's partition count…
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: changelog, configNames: ['cleanup.policy'] }],
        includeSynonyms: false,
      });
      expect(resources[0]!.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue).toBe('compact');
      const { topics } = await admin.fetchTopicMetadata({ topics: [changelog] });
      expect(topics[0]!.partitions).toHaveLength(2);
    } finally {
      await admin.disconnect();
    }
    // …and it holds every lane, at its last candle.
    const newest = new Map<string, number>();
    for (const r of await readTopic(changelog)) newest.set(r.key!, JSON.parse(r.value!).checkpoint.lastTimestamp);
    expect(newest.size).toBe(SYMBOLS.length * 3);
    expect([...newest.values()].every((t) => t === LAST)).toBe(true);
  }, 240_000);
});
