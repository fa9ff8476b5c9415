import { z } from 'zod';
import type { Admin } from 'kafkajs';
import { backoffMs, BrokersSchema, createKafka, type Brokers } from './client.js';
import { parseOptions } from './options.js';

export const EnsureTopicsOptionsSchema = z.strictObject({
  brokers: BrokersSchema,
  topics: z
    .array(
      z.strictObject({
        topic: z.string().min(1),
        /** More partitions let more consumers (nodes) share the symbols (default 1). */
        partitions: z.number().int().positive().default(1),
        replicationFactor: z.number().int().positive().default(1),
        /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }` for a changelog. */
        config: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1),
  clientId: z.string().min(1).optional(),
});

export type EnsureTopicsOptions = z.input<typeof EnsureTopicsOptionsSchema>;

/**
 * Creates the topics that do not exist yet (an existing topic is left as it is) and waits until they have leaders.
 * Returns the names it created.
 *
 * @example
 * ```ts
 * await ensureTopics({ brokers: '127.0.0.1:9092', topics: [{ topic: 'candles', partitions: 8 }] });
 * ```
 */
export async function ensureTopics(options: EnsureTopicsOptions): Promise<string[]> {
  const o = parseOptions(EnsureTopicsOptionsSchema, options, 'ensureTopics');
  const admin = createKafka({ brokers: o.brokers, clientId: o.clientId }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = o.topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      // Waited for below: kafkajs's own wait gives up when the broker does not know the new topic yet.
      waitForLeaders: false,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await untilLed(admin, missing.map((t) => t.topic));
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

/** Waits (up to 30 s) until every partition of the topics has a leader: until then producing to them fails. */
async function untilLed(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      if (meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      // The broker has not propagated the new topic yet ("does not host this topic-partition"): ask again.
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after 30 s`);
    await new Promise((r) => setTimeout(r, backoffMs(attempt, 20, 500)));
  }
}

export interface ChangelogTopicOptions {
  readonly brokers: Brokers;
  /** The changelog topic. */
  readonly topic: string;
  /** The candle topic whose partition count it takes (1 when that topic does not exist yet). */
  readonly like: string;
  readonly clientId?: string;
}

/**
 * Creates a live node's changelog topic if it is missing: compacted (Kafka keeps the newest checkpoint of each lane
 * for ever, and drops the older ones), with as many partitions as the candle topic.
 *
 * @example
 * ```ts
 * await ensureChangelogTopic({ brokers: '127.0.0.1:9092', topic: 'nodes-changelog', like: 'candles' });
 * ```
 */
export async function ensureChangelogTopic(options: ChangelogTopicOptions): Promise<boolean> {
  const admin = createKafka({ brokers: options.brokers, clientId: options.clientId }).admin();
  await admin.connect();
  let partitions = 1;
  try {
    if ((await admin.listTopics()).includes(options.like)) {
      const { topics } = await admin.fetchTopicMetadata({ topics: [options.like] });
      partitions = Math.max(1, topics[0]?.partitions.length ?? 1);
    }
  } finally {
    await admin.disconnect();
  }
  const created = await ensureTopics({
    brokers: options.brokers,
    clientId: options.clientId,
    topics: [{ topic: options.topic, partitions, config: { 'cleanup.policy': 'compact' } }],
  });
  return created.length > 0;
}
