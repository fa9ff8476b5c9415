import { lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaCandles, type KafkaCandleProblem } from '../../src/kafka.js';
import { runCli } from '../e2e/run-cli.js';
import { candleFileText, scratch } from './cli-fixtures.js';
import { brokers, kafka, series, unique } from './helpers.js';

// Runs the built CLI (`npx tsup --silent` first) against the real broker.
const tmp = scratch('tickflow-cli-feed');
afterAll(() => tmp.remove());

async function partitionsOf(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]!.partitions.length;
  } finally {
    await admin.disconnect();
  }
}

describe('tickflow feed', () => {
  it('publishes candle files keyed by symbol; kafkaCandles reads back every candle, per symbol in order', async () => {
    const topic = unique('cli-candles');
    const data = { 'AAA/USDT': series(500, 0), 'BBB/USDT': series(300, 9) };
    const r = runCli([
      'feed',
      '--candles', tmp.file('bbb.json', candleFileText(300, 9)), '--symbol', 'BBB/USDT',
      '--candles', tmp.file('aaa.json', candleFileText(500, 0)), '--symbol', 'AAA/USDT',
      '--kafka-brokers', brokers, '--kafka-topic', topic, '--partitions', '3',
    ]);
    expect(r.stderr).toBe(`tickflow feed: created topic ${topic} with 3 partition(s)\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Published 800 candle(s) to ${topic} on ${brokers}\n  AAA/USDT  500\n  BBB/USDT  300\n`);
    expect(await partitionsOf(topic)).toBe(3);

    const problems: KafkaCandleProblem[] = [];
    const got = await lastValueFrom(
      kafkaCandles({ brokers, topic, groupId: unique('g'), fromBeginning: true, autoAck: true, onError: (p) => problems.push(p) }).pipe(
        take(800),
        toArray(),
      ),
    );
    expect(problems).toEqual([]);
    for (const [symbol, candles] of Object.entries(data)) {
      const mine = got.filter((c) => c.symbol === symbol);
      expect(mine.map((c) => c.candle)).toEqual(candles);
      expect(new Set(mine.map((c) => c.interval))).toEqual(new Set(['1m']));
      // Keyed by symbol: one partition per symbol, which is what keeps its candles in order.
      expect(new Set(mine.map((c) => c.origin.partition)).size).toBe(1);
    }
  });

  it('leaves an existing topic as it is', () => {
    const topic = unique('cli-candles-again');
    const file = tmp.file('again.json', candleFileText(10, 0));
    const args = ['feed', '--candles', file, '--symbol', 'A', '--kafka-brokers', brokers, '--kafka-topic', topic, '--partitions', '2'];
    expect(runCli(args).code).toBe(0);
    const again = runCli(args);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(`Published 10 candle(s) to ${topic} on ${brokers}\n  A  10\n`);
  });

  it('reports an unreachable broker in one line after its retries, exit 2', () => {
    const file = tmp.file('few.json', candleFileText(5, 0));
    const r = runCli(['feed', '--candles', file, '--symbol', 'A', '--kafka-brokers', '127.0.0.1:1', '--kafka-topic', 'nowhere', '--kafka-retries', '1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^tickflow feed: publishCandles: sending 5 candle\(s\) to nowhere failed \(attempt 1, retrying in 200 ms\): KafkaJS\w+: .*ECONNREFUSED/);
    expect(lines[1]).toMatch(/^tickflow: --kafka-brokers 127\.0\.0\.1:1: giving up after 2 attempt\(s\): publishCandles: .*ECONNREFUSED/);
  });

  it('rejects wrong flags and a bad file in one line', () => {
    const good = tmp.file('good.json', candleFileText(5, 0));
    const bad = tmp.file('bad.json', JSON.stringify([{ ...series(1, 0)[0], high: 1, low: 2 }]));
    const sink = ['--kafka-brokers', brokers, '--kafka-topic', unique('cli-bad')];
    const cases: Array<[string[], RegExp]> = [
      [['--candles', good, '--symbol', 'A', '--kafka-topic', 'x'], /^tickflow: --kafka-brokers: is required/],
      [['--candles', good, '--symbol', 'A', '--kafka-brokers', brokers], /^tickflow: --kafka-topic: is required/],
      [['--candles', good, ...sink], /^tickflow: --symbol: each --candles FILE needs its --symbol SYM/],
      [['--demo', '--candles', good, '--symbol', 'A', ...sink], /^tickflow: --demo: publishes generated data/],
      [['--candles', good, '--symbol', 'A', '--partitions', '0', ...sink], /^tickflow: --partitions: expected a number of partitions of at least 1/],
      [['--candles', bad, '--symbol', 'A', ...sink], /^tickflow: .*bad\.json.*high/],
      [['--candles', `${good}.missing`, '--symbol', 'A', ...sink], /^tickflow: .*ENOENT/],
    ];
    for (const [flags, message] of cases) {
      const r = runCli(['feed', ...flags]);
      expect(r.stderr, flags.join(' ')).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
