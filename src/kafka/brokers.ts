import { z } from 'zod';

/**
 * Broker list: `['127.0.0.1:9092']` or the usual comma-separated `'a:9092,b:9092'`. Kept apart from the kafkajs
 * client so a config can be checked without loading kafkajs.
 */
export const BrokersSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((b) => (typeof b === 'string' ? b.split(',') : b).map((s) => s.trim()).filter((s) => s.length > 0))
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1, 'at least one broker is needed'));

export type Brokers = z.input<typeof BrokersSchema>;
