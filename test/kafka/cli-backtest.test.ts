import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalEventSchema, type SignalEvent } from '../../src/core/events.js';
import { ensureTopics, laneKey } from '../../src/kafka.js';
import { runCli } from '../e2e/run-cli.js';
import { candleFileText, scratch, STRATEGIES_FILE } from './cli-fixtures.js';
import { brokers, readTopic, unique, type ReadRecord } from './helpers.js';

// Runs the built CLI (`npx tsup --silent` first) against the real broker.
const tmp = scratch('tickflow-cli-kafka');
afterAll(() => tmp.remove());

let inputs: string[];
beforeAll(() => {
  inputs = ['--strategy', STRATEGIES_FILE, '--no-progress'];
  for (const [symbol, phase] of [['AAA/USDT', 0], ['BBB/USDT', 11], ['CCC/USDT', 23]] as const) {
    inputs.push('--candles', tmp.file(`${symbol.replace('/', '_')}.json`, candleFileText(720, phase)), '--symbol', symbol);
  }
});

const readEvents = (path: string): SignalEvent[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => SignalEventSchema.parse(JSON.parse(line)));

function byLane(events: readonly SignalEvent[]): Map<string, SignalEvent[]> {
  const lanes = new Map<string, SignalEvent[]>();
  for (const e of events) lanes.set(laneKey(e), [...(lanes.get(laneKey(e)) ?? []), e]);
  return lanes;
}

// A lane's records share a partition, and a partition is read in offset order: that is the order a consumer sees.
const inOffsetOrder = (records: readonly ReadRecord[]) =>
  [...records].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));

const parse = (r: ReadRecord) => SignalEventSchema.parse(JSON.parse(r.value!));

describe('tickflow backtest --kafka-brokers --kafka-topic', () => {
  it('publishes the same events as --events writes, in per-lane order, closed signals also to --kafka-closed-topic', async () => {
    const plain = join(tmp.dir, 'plain.jsonl');
    const r0 = runCli(['backtest', ...inputs, '--events', plain]);
    expect(r0.stderr).toBe('');
    expect(r0.code).toBe(0);
    const reference = readEvents(plain);
    const actions = new Set(reference.map((e) => e.action));
    expect(['opened', 'closed', 'partial_profit'].every((a) => actions.has(a as SignalEvent['action']))).toBe(true);
    expect(reference.filter((e) => e.action === 'closed').length).toBeGreaterThan(10);
    expect(byLane(reference).size).toBe(6);

    const topic = unique('cli-signals');
    const closedTopic = unique('cli-closed');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 3 }] });
    const file = join(tmp.dir, 'kafka.jsonl');
    const r = runCli(['backtest', ...inputs, '--events', file, '--kafka-brokers', brokers, '--kafka-topic', topic, '--kafka-closed-topic', closedTopic]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Backtest of longs, shorts');

    // The sink changes nothing about the run: the file is what it is without Kafka …
    const written = readEvents(file);
    expect(written).toEqual(reference);
    // … and the topic holds exactly those events, each lane's in order, keyed by lane with action/eventId headers.
    const records = inOffsetOrder(await readTopic(topic));
    expect(records).toHaveLength(written.length);
    const lanes = byLane(records.map(parse));
    expect([...lanes.keys()].sort()).toEqual([...byLane(written).keys()].sort());
    for (const [lane, events] of byLane(written)) expect(lanes.get(lane)).toEqual(events);
    for (const rec of records) {
      const e = parse(rec);
      expect(rec.key).toBe(`${e.symbol}|${e.strategy}`);
      expect(rec.headers).toEqual({ action: e.action, eventId: e.eventId });
    }

    const closed = inOffsetOrder(await readTopic(closedTopic)).map(parse);
    const wantClosed = written.filter((e) => e.action === 'closed');
    expect(closed).toHaveLength(wantClosed.length);
    for (const [lane, events] of byLane(wantClosed)) expect(byLane(closed).get(lane)).toEqual(events);
  });

  it('reports an unreachable broker as error lines and one final line, exit 2, no stack trace', () => {
    const file = join(tmp.dir, 'unreachable.jsonl');
    const r = runCli(['backtest', ...inputs, '--events', file, '--kafka-brokers', '127.0.0.1:1', '--kafka-topic', 'nowhere', '--kafka-retries', '1']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^tickflow backtest: kafka: toKafka: publishing \d+ event\(s\) to nowhere failed \(attempt 1, retrying in 200 ms\): KafkaJS\w+: .*ECONNREFUSED/);
    expect(lines[1]).toMatch(/^tickflow: --kafka-brokers 127\.0\.0\.1:1: toKafka: giving up after 2 attempts: KafkaJS\w+: .*ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // A failed run leaves no events file behind (the failed attempt was reported on stderr above).
    expect(existsSync(file)).toBe(false);
  });

  it('rejects half a sink or a bad address in one line before running anything', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--kafka-topic', 'x'], /^tickflow: --kafka-brokers: is needed too/],
      [['--kafka-brokers', brokers], /^tickflow: --kafka-topic: is needed too/],
      [['--kafka-brokers', 'localhost', '--kafka-topic', 'x'], /^tickflow: --kafka-brokers: expected HOST:PORT\[,HOST:PORT…\], got 'localhost'/],
      [['--kafka-brokers', brokers, '--kafka-topic', 'a topic'], /^tickflow: --kafka-topic: a topic name is 1–249 letters/],
      [['--kafka-closed-topic', 'c'], /^tickflow: --kafka-closed-topic: needs --kafka-brokers and --kafka-topic/],
    ];
    for (const [flags, message] of cases) {
      const r = runCli(['backtest', ...inputs, ...flags]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
