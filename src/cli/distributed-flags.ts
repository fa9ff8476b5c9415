import { z } from 'zod';
import { RESULTS_TOPIC, TRIALS_TOPIC } from '../distributed/messages.js';
import { BrokerListSchema, TopicNameSchema } from './kafka-flags.js';

/** The flags that run a study's batches on `tickflow worker` processes (camelCase, as the study schemas read them). */
export const DISTRIBUTED_FLAG_FIELDS = {
  kafkaBrokers: BrokerListSchema.optional(),
  distributed: z.boolean().default(false),
  trialsTopic: TopicNameSchema.default(TRIALS_TOPIC),
  resultsTopic: TopicNameSchema.default(RESULTS_TOPIC),
};

export const DISTRIBUTED_ARGS = {
  'kafka-brokers': { type: 'string' },
  distributed: { type: 'boolean' },
  'trials-topic': { type: 'string' },
  'results-topic': { type: 'string' },
} as const;

export function checkDistributedFlags(f: { help: boolean; distributed: boolean; kafkaBrokers?: string[]; trialsTopic: string; resultsTopic: string }, ctx: z.RefinementCtx): void {
  if (f.help) return;
  if (f.distributed && f.kafkaBrokers === undefined) ctx.addIssue({ code: 'custom', path: ['distributed'], message: 'needs the brokers the workers listen on: --kafka-brokers HOST:PORT[,…]' });
  if (!f.distributed && f.kafkaBrokers !== undefined) ctx.addIssue({ code: 'custom', path: ['kafka-brokers'], message: "needs --distributed (a study's batches go to 'tickflow worker' processes)" });
  if (f.trialsTopic === f.resultsTopic) ctx.addIssue({ code: 'custom', path: ['results-topic'], message: 'must differ from --trials-topic' });
}

export const DISTRIBUTED_FLAGS_HELP = `--kafka-brokers HOST:PORT[,…] --distributed: run each batch on the 'tickflow worker' processes of a consumer
    group instead of here (each worker needs the same candles in its --data store and the strategy module at the
    same path); --workers N then splits each batch into N messages. Same seed → the same report as a local run
--trials-topic T (default ${TRIALS_TOPIC}), --results-topic R (default ${RESULTS_TOPIC}): the topics the workers use`;
