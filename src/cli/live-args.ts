import { z } from 'zod';
import { KAFKA_SINK_ARGS, kafkaSinkUsage, parseKafkaSinkFlags, type KafkaSinkFlags } from './kafka-flags.js';
import { parseFlags, readArgs } from './parse-flags.js';
import { UserError } from './user-error.js';

const LiveFlagsSchema = z
  .object({
    config: z.string().min(1).optional(),
    detach: z.boolean().default(false),
    http: z
      .string()
      .regex(/^\d+$/, 'expected a port number (0 picks a free one)')
      .transform(Number)
      .pipe(z.number().int().min(0).max(65_535, 'expected a port number up to 65535'))
      .optional(),
    events: z.string().min(1).optional(),
    help: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    if (!f.help && f.config === undefined) {
      ctx.addIssue({ code: 'custom', path: ['config'], message: 'is required (an ES module describing the node: see the README, Live trading)' });
    }
  });

export type LiveFlags = z.output<typeof LiveFlagsSchema> & { readonly kafka: KafkaSinkFlags | undefined };

export const LIVE_USAGE = `usage: tickflow live --config FILE [--detach] [--http PORT] [--events FILE|-]

  --config FILE   ES module exporting { exchange, symbols, interval, strategies, risk?, store, config?, sinks? }
                  or, fed by a Kafka candle topic, { kafka: { brokers, topic, groupId, changelog? }, strategies, store, … }
  --detach        on SIGTERM/SIGINT exit at once, leaving open positions to the next start
                  (default: stop opening signals and keep monitoring open ones until they close)
  --http PORT     serve /healthz (JSON) and /metrics (Prometheus) on 127.0.0.1:PORT (0: any free port)
  --events FILE   append every event as a JSON line to FILE ('-': stdout)
  -h, --help      this text
${kafkaSinkUsage('forever')}`;

/** Parse and validate `tickflow live` flags; every problem is a one-line UserError. */
export function parseLiveFlags(argv: readonly string[]): LiveFlags {
  const values = readArgs(argv, {
    config: { type: 'string' },
    detach: { type: 'boolean' },
    http: { type: 'string' },
    events: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...KAFKA_SINK_ARGS,
  });
  const flags = parseFlags(LiveFlagsSchema, values);
  return { ...flags, kafka: flags.help ? undefined : parseKafkaSinkFlags(values, 'forever') };
}
