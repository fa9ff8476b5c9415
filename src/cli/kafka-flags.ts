import { parseFlags } from './parse-flags.js';
import { z } from 'zod';
import { UserError } from './user-error.js';

// Validated here without kafkajs: a command that only parses its flags must not pay for loading the client.

const portOf = (broker: string) => Number(broker.slice(broker.lastIndexOf(':') + 1));

/** `HOST:PORT[,HOST:PORT…]` as a list, each port 1–65535. */
export const BrokerListSchema = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[^\s:,]+:\d{1,5}$/, { error: (issue) => `expected HOST:PORT[,HOST:PORT…], got '${String(issue.input)}'` })
          .refine((b) => portOf(b) >= 1 && portOf(b) <= 65_535, { error: (issue) => `a port is 1–65535, got '${String(issue.input)}'` }),
      )
      .min(1),
  );

/** Kafka's own rule for topic names. */
export const TopicNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, "a topic name is 1–249 letters, digits, '.', '_' or '-'")
  .refine((t) => t !== '.' && t !== '..', "a topic name cannot be '.' or '..'");

/** The sink of `tickflow backtest` (and `live`): where the events go. */
export interface KafkaSinkFlags {
  readonly brokers: readonly string[];
  /** Every event (but `progress`) goes here … */
  readonly topic: string;
  /** … and closed signals here too. */
  readonly closedTopic?: string;
  /** Failed attempts per batch before giving up; undefined: retry forever (a live node never gives up). */
  readonly retries?: number;
}

/** The `parseArgs` options of the sink flags: spread them into a command's own. */
export const KAFKA_SINK_ARGS = {
  'kafka-brokers': { type: 'string' },
  'kafka-topic': { type: 'string' },
  'kafka-closed-topic': { type: 'string' },
  'kafka-retries': { type: 'string' },
} as const;

/** The usage lines of the sink flags; `retries` says what the command does by default (e.g. '5', 'forever'). */
export function kafkaSinkUsage(retries: string): string {
  return `Kafka sink (both flags together; every event but progress, keyed symbol|strategy, headers action and eventId):
  --kafka-brokers HOST:PORT[,…] --kafka-topic TOPIC [--kafka-closed-topic TOPIC2: closed signals there too]
  [--kafka-retries N: failed attempts per batch before the run fails (default ${retries})]`;
}

const RetriesSchema = z
  .string()
  .regex(/^\d+$/, 'expected a whole number of retries')
  .transform(Number)
  .pipe(z.number().int().max(1_000));

const SinkFlagsSchema = z
  .object({
    'kafka-brokers': BrokerListSchema.optional(),
    'kafka-topic': TopicNameSchema.optional(),
    'kafka-closed-topic': TopicNameSchema.optional(),
    'kafka-retries': RetriesSchema.optional(),
  })
  .superRefine((f, ctx) => {
    const brokers = f['kafka-brokers'] !== undefined;
    const topic = f['kafka-topic'] !== undefined;
    if (brokers !== topic) {
      const missing = brokers ? 'kafka-topic' : 'kafka-brokers';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is needed too: the Kafka sink takes --kafka-brokers HOST:PORT and --kafka-topic TOPIC together' });
      return;
    }
    for (const flag of ['kafka-closed-topic', 'kafka-retries'] as const) {
      if (!brokers && f[flag] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [flag], message: 'needs --kafka-brokers and --kafka-topic' });
      }
    }
    if (f['kafka-closed-topic'] !== undefined && f['kafka-closed-topic'] === f['kafka-topic']) {
      ctx.addIssue({ code: 'custom', path: ['kafka-closed-topic'], message: 'must differ from --kafka-topic (which gets every event already)' });
    }
  });

/**
 * The sink flags out of a command's parsed values (other keys are ignored): undefined when none is given; a one-line
 * UserError naming the flag when they are wrong. Without `--kafka-retries` a failing batch is retried
 * `defaultRetries` times, or forever (what a live node wants: it never gives up on a transient outage).
 */
export function parseKafkaSinkFlags(values: Record<string, unknown>, defaultRetries: number | 'forever' = 5): KafkaSinkFlags | undefined {
  const f = parseFlags(SinkFlagsSchema, values);
  const brokers = f['kafka-brokers'];
  const topic = f['kafka-topic'];
  if (brokers === undefined || topic === undefined) return undefined;
  const retries = f['kafka-retries'] ?? (defaultRetries === 'forever' ? undefined : defaultRetries);
  return { brokers, topic, closedTopic: f['kafka-closed-topic'], retries };
}

