import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveStatus } from '../../src/live.js';
import { candleMessage, ensureTopics } from '../../src/kafka.js';
import { buildCli, httpGet, readEvents, spawnLive, type NodeProcess } from '../e2e/live-node.js';
import { scratch, STRATEGIES_FILE } from './cli-fixtures.js';
import { brokers, kafka, readTopic, series, T0, unique, until } from './helpers.js';
import { MIN } from './live-kafka-node.js';
import { waitForValue } from '../support/collect.js';
import { createIdempotentProducer } from '../../src/kafka/client.js';

const COUNT = 120;
const candles = series(COUNT, 3);
const LAST = T0 + (COUNT - 1) * MIN;

let cli: { cli: string; cleanup: () => void };
const tmp = scratch('tickflow-kafka-poison');
const running: NodeProcess[] = [];
// Idempotent, like tickflow's own producers: a send retried under load must not write its records twice (the
// tests count records).
const producer = createIdempotentProducer(kafka);
beforeAll(async () => {
  cli = await buildCli();
  await producer.connect();
}, 120_000);
afterAll(async () => {
  for (const n of running) if (!n.hasExited()) n.child.kill('SIGKILL');
  await producer.disconnect();
  cli?.cleanup();
  tmp.remove();
});

describe('tickflow live fed by a Kafka topic with a record of the wrong interval first', () => {
  it('reports it with topic, partition and offset, copies it to the dead-letter topic and runs every candle', async () => {
    const topic = unique('poison-candles');
    const deadLetterTopic = unique('poison-dead');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 1 }, { topic: deadLetterTopic, partitions: 1 }] });
    const fiveMinutes = JSON.stringify({ symbol: 'A/USDT', interval: '5m', candle: candles[0] });
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'A/USDT', value: fiveMinutes }, ...candles.map((candle) => candleMessage({ symbol: 'A/USDT', interval: '1m', candle }))],
    });
    const config = tmp.file(
      'node.mjs',
      `import periodic, { momentum } from ${JSON.stringify(STRATEGIES_FILE)};
export const kafka = { brokers: '${brokers}', topic: '${topic}', groupId: '${unique('g')}', fromBeginning: true, deadLetterTopic: '${deadLetterTopic}' };
export const strategies = [...periodic, momentum];
export const store = ${JSON.stringify(join(tmp.dir, 'store'))};
export const config = { historyCandles: 60 };
`,
    );
    const eventsFile = join(tmp.dir, 'events.jsonl');
    const node = spawnLive(cli.cli, config, ['--http', '0', '--events', eventsFile, '--detach'], {});
    running.push(node);
    const port = await node.port();
    // Polls the node's status (bounded) until it has run the last candle, or exited.
    let last: LiveStatus | undefined;
    const probe = async () => {
      if (node.hasExited()) return true;
      last = JSON.parse((await httpGet(port, '/healthz')).body) as LiveStatus;
      return last.symbols['A/USDT']?.lastCandle === LAST ? true : undefined;
    };
    await waitForValue(probe, () => `the last candle: ${JSON.stringify(last?.symbols)}`, 90_000, 100);
    expect(node.hasExited()).toBe(false);
    // The copy is written while the node runs; its offset is committed only after that.
    await until(async () => (await readTopic(deadLetterTopic)).length > 0, 'the dead-letter copy');
    node.child.kill('SIGTERM');
    expect((await node.exited).code).toBe(0);

    expect(node.lines.filter((l) => /internal error/.test(l))).toEqual([]);
    const reports = node.lines.filter((l) => l.includes(`topic ${topic} partition 0 offset 0:`));
    expect(reports).toEqual([`tickflow live: kafka: topic ${topic} partition 0 offset 0: a 5m candle for A/USDT, but the topic’s interval is 1m`]);
    expect((await readTopic(deadLetterTopic)).map((r) => r.value)).toEqual([fiveMinutes]);
    const events = readEvents(eventsFile);
    expect(events.filter((e) => e.action === 'error')).toEqual([]);
    expect(events.some((e) => e.action === 'opened')).toBe(true);
  }, 120_000);
});
