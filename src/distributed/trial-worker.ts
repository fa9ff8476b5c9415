import type { Consumer, Producer } from 'kafkajs';
import { createIdempotentProducer, createKafka, describeError, type Brokers } from '../kafka/client.js';
import { BatchEvaluator, type BatchEvaluationContext } from './batch-evaluation.js';
import { decodeMessage, encodeMessage, resultKey, TrialBatchSchema } from './messages.js';

export interface TrialWorkerOptions extends BatchEvaluationContext {
  readonly brokers: Brokers;
  readonly group: string;
  readonly trialsTopic: string;
  readonly resultsTopic: string;
  /** How long the group waits for a silent member before its batches go to another (default 10 s). */
  readonly sessionTimeoutMs?: number;
  /** One line per event worth telling (joined, batch taken, batch answered, message skipped). */
  readonly log: (line: string) => void;
}

/**
 * A member of the workers' consumer group: takes one trial batch at a time from its partitions of the trials topic,
 * evaluates it, publishes one result per trial (keyed `study/trialId`, idempotent producer) and commits the batch's
 * offset only once the broker has acknowledged every result. A worker that dies before that leaves the offset
 * uncommitted: the group hands the partition to another member, which evaluates the batch again (at least once;
 * the coordinator keeps the first result of each trial id).
 */
export class TrialWorker {
  private constructor(
    private readonly consumer: Consumer,
    private readonly producer: Producer,
  ) {}

  static async start(o: TrialWorkerOptions): Promise<TrialWorker> {
    const kafka = createKafka({ brokers: o.brokers, clientId: `tickflow-worker-${o.worker}` });
    const sessionTimeout = o.sessionTimeoutMs ?? 10_000;
    const consumer = kafka.consumer({ groupId: o.group, sessionTimeout, heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)), maxWaitTimeInMs: 500 });
    const producer = createIdempotentProducer(kafka);
    const evaluator = new BatchEvaluator(o);
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const mine = payload.memberAssignment[o.trialsTopic] ?? [];
      o.log(`worker ${o.worker}: joined group ${o.group}, partitions ${mine.length === 0 ? 'none' : mine.join(',')} of ${o.trialsTopic}`);
    });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [o.trialsTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const next = (BigInt(message.offset) + 1n).toString();
        const where = `${topic}[${partition}]@${message.offset}`;
        let batch;
        try {
          batch = decodeMessage(TrialBatchSchema, message.value, where);
        } catch (err) {
          // Nothing to answer (no study or trial ids to key a result by): told, and passed over.
          o.log(`worker ${o.worker}: skipped ${describeError(err)}`);
          await consumer.commitOffsets([{ topic, partition, offset: next }]);
          return;
        }
        o.log(`worker ${o.worker}: batch ${batch.batch} of study ${batch.study} taken (${batch.trials.length} trials, ${where})`);
        const results = await evaluator.evaluate(batch);
        await heartbeat();
        await producer.send({
          topic: o.resultsTopic,
          messages: results.map((r) => ({ key: resultKey(r.study, r.trial), value: encodeMessage(r) })),
        });
        await consumer.commitOffsets([{ topic, partition, offset: next }]);
        const refused = results.find((r) => !r.ok);
        o.log(`worker ${o.worker}: batch ${batch.batch} of study ${batch.study} ${refused === undefined ? 'answered' : `refused: ${refused.ok ? '' : refused.error}`}`);
      },
    });
    return new TrialWorker(consumer, producer);
  }

  /** Leaves the group (its uncommitted batches go to the other members) and closes the connections. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}
