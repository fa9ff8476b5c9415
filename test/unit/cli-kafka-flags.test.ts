import { describe, expect, it } from 'vitest';
import { parseKafkaSinkFlags } from '../../src/cli/kafka-flags.js';
import { UserError } from '../../src/cli/user-error.js';

const parse = (values: Record<string, unknown>, retries: number | 'forever') => parseKafkaSinkFlags(values, retries);

describe('parseKafkaSinkFlags', () => {
  it('is undefined without the flags, and reads brokers, topics and retries with them', () => {
    expect(parse({ demo: true }, 5)).toBeUndefined();
    expect(parse({ 'kafka-brokers': 'a:9092, b:19092', 'kafka-topic': 'signals.v1' }, 5)).toEqual({
      brokers: ['a:9092', 'b:19092'],
      topic: 'signals.v1',
      closedTopic: undefined,
      retries: 5,
    });
    // A live node retries forever unless told otherwise.
    expect(parse({ 'kafka-brokers': 'a:1', 'kafka-topic': 't' }, 'forever')?.retries).toBeUndefined();
    expect(parse({ 'kafka-brokers': 'a:1', 'kafka-topic': 't', 'kafka-closed-topic': 'c', 'kafka-retries': '0' }, 5)).toMatchObject({
      closedTopic: 'c',
      retries: 0,
    });
  });

  it('names the flag and the problem in one line', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ 'kafka-topic': 't' }, '--kafka-brokers: is needed too'],
      [{ 'kafka-brokers': 'a:1' }, '--kafka-topic: is needed too'],
      [{ 'kafka-brokers': 'a:1,', 'kafka-topic': 't' }, "--kafka-brokers: expected HOST:PORT[,HOST:PORT…], got ''"],
      [{ 'kafka-brokers': 'a:70000', 'kafka-topic': 't' }, "--kafka-brokers: a port is 1–65535, got 'a:70000'"],
      [{ 'kafka-brokers': 'a:0', 'kafka-topic': 't' }, "--kafka-brokers: a port is 1–65535, got 'a:0'"],
      [{ 'kafka-brokers': 'a:1', 'kafka-topic': 'x'.repeat(250) }, '--kafka-topic: a topic name is 1–249'],
      [{ 'kafka-brokers': 'a:1', 'kafka-topic': '..' }, "--kafka-topic: a topic name cannot be '.' or '..'"],
      [{ 'kafka-brokers': 'a:1', 'kafka-topic': 't', 'kafka-closed-topic': 't' }, '--kafka-closed-topic: must differ from --kafka-topic'],
      [{ 'kafka-brokers': 'a:1', 'kafka-topic': 't', 'kafka-retries': '-1' }, '--kafka-retries: expected a whole number'],
      [{ 'kafka-retries': '3' }, '--kafka-retries: needs --kafka-brokers and --kafka-topic'],
    ];
    for (const [values, message] of cases) {
      let error: unknown;
      try {
        parse(values, 5);
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(values)).toBeInstanceOf(UserError);
      expect((error as Error).message.startsWith(message), `${(error as Error).message} should start with ${message}`).toBe(true);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('the commands read the Kafka flags', () => {
  it('tickflow live: retries forever by default; tickflow backtest: 5; both name a missing partner flag', async () => {
    const { parseLiveFlags } = await import('../../src/cli/live-args.js');
    const { parseBacktestFlags } = await import('../../src/cli/args.js');
    const live = parseLiveFlags(['--config', 'node.mjs', '--kafka-brokers', '127.0.0.1:19092', '--kafka-topic', 'signals']);
    expect(live.kafka).toEqual({ brokers: ['127.0.0.1:19092'], topic: 'signals', closedTopic: undefined, retries: undefined });
    expect(parseLiveFlags(['--config', 'node.mjs']).kafka).toBeUndefined();
    const backtest = parseBacktestFlags(['--demo', '--kafka-brokers', 'k:9092', '--kafka-topic', 't']);
    expect(backtest.kafka?.retries).toBe(5);
    expect(() => parseLiveFlags(['--config', 'node.mjs', '--kafka-topic', 't'])).toThrow(/--kafka-brokers: is needed too/);
    expect(() => parseLiveFlags(['--config', 'node.mjs', '--bogus'])).toThrow(UserError);
  });
});
