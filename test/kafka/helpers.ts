import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { inject } from 'vitest';
import { T0 } from '../support/fixtures.js';

export const brokers = inject('kafkaBrokers');
export const restartable = inject('kafkaRestartable');

let counter = 0;
/** Topic and group names unique to this run, so tests never see each other's records. */
export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

export const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'tickflow-tests', logLevel: logLevel.NOTHING });

/** Poll `condition` until it holds; a bounded wait that fails with `what` (never a timing assertion). */
export async function until(condition: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly value: string | null;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = String(v);
  return out;
}

/** The topic's offsets; asked again while a just-restarted broker still answers "not the leader". */
async function endOffsets(topic: string): Promise<Array<{ partition: number; high: string; low: string }>> {
  for (let attempt = 1; ; attempt++) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      if (attempt >= 20 || !(err as { retriable?: boolean }).retriable) throw err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect();
    }
  }
}

/**
 * Every record of a topic as it is now: reads up to the high watermarks taken first, so the result is exactly what
 * the topic holds — no count to guess, no waiting for "no more records".
 */
export async function readTopic(topic: string): Promise<ReadRecord[]> {
  const ends = await endOffsets(topic);
  const remaining = new Map<number, bigint>();
  for (const p of ends) if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high));
  const records: ReadRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: unique('reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const end = remaining.get(partition);
      if (end === undefined || BigInt(message.offset) >= end) return;
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        headers: headerText(message.headers),
        value: message.value?.toString() ?? null,
      });
      if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
    },
  });
  try {
    await until(() => remaining.size === 0, `all records of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export { series, T0 } from '../support/fixtures.js';

/** The tests' strategies (one JavaScript source, which the CLI under test loads too). */
export { momentum, periodic, strategies } from './fixtures/strategies.mjs';
