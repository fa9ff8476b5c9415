import { z } from 'zod';
import { BrokersSchema, createKafka } from './kafka-client.js';
import { parseOptions } from './kafka-options.js';

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
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
