import { z } from 'zod';
import { RESULTS_TOPIC, TRIALS_TOPIC } from '../distributed/messages.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { BrokerListSchema, TopicNameSchema } from './kafka-flags.js';
import { parseFlags, readArgs } from './parse-flags.js';

const WorkerFlagsSchema = z
  .object({
    'kafka-brokers': BrokerListSchema.optional(),
    group: z.string().min(1).optional(),
    data: z.string().min(1).optional(),
    'trials-topic': TopicNameSchema.default(TRIALS_TOPIC),
    'results-topic': TopicNameSchema.default(RESULTS_TOPIC),
    name: z.string().min(1).optional(),
    help: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f['kafka-brokers'] === undefined) ctx.addIssue({ code: 'custom', path: ['kafka-brokers'], message: 'give the brokers: --kafka-brokers HOST:PORT[,…]' });
    else if (f.group === undefined) ctx.addIssue({ code: 'custom', path: ['group'], message: "give the workers' consumer group: --group NAME" });
    else if (f.data === undefined) ctx.addIssue({ code: 'custom', path: ['data'], message: "give this worker's candle store: --data DIR (filled by 'tickflow data')" });
    if (f['trials-topic'] === f['results-topic']) ctx.addIssue({ code: 'custom', path: ['results-topic'], message: 'must differ from --trials-topic' });
  });
export type WorkerFlags = z.output<typeof WorkerFlagsSchema>;

export const WORKER_USAGE = `usage: tickflow worker --kafka-brokers HOST:PORT[,…] --group NAME --data DIR [--trials-topic T] [--results-topic R] [--name W]
A study worker: a member of a consumer group that evaluates the trial batches 'tickflow optimize --distributed'
publishes, until stopped (Ctrl-C or SIGTERM).
--kafka-brokers HOST:PORT[,…]: the Kafka brokers
--group NAME: the workers' consumer group (the batches are shared among its members)
--data DIR: this worker's candle store (filled by 'tickflow data download' or 'import'); a batch whose candles
    (symbols, interval, span, sha256) differ from the store's is refused with an error result, never computed
--trials-topic T (default ${TRIALS_TOPIC}), --results-topic R (default ${RESULTS_TOPIC}): the study's topics
--name W: this worker's name in results and logs (default HOST-PID)
-h, --help: this text
${EXIT_CODES_HELP}`;

export function parseWorkerFlags(argv: readonly string[]): WorkerFlags {
  return parseFlags(
    WorkerFlagsSchema,
    readArgs(argv, {
      'kafka-brokers': { type: 'string' },
      group: { type: 'string' },
      data: { type: 'string' },
      'trials-topic': { type: 'string' },
      'results-topic': { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }),
  );
}
