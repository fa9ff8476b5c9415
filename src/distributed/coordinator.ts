import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import type { Config } from '../core/config.js';
import type { BacktestStatistics } from '../core/stats.js';
import type { SignalEvent } from '../core/events.js';
import type { BatchEvaluator, CandidateResult } from '../pipelines/optimize.js';
import { createIdempotentProducer, createKafka, describeError, type Brokers } from '../kafka/client.js';
import { decodeMessage, encodeMessage, resultKey, TrialResultSchema, type DataSpec, type TrialBatch } from './messages.js';
import { ensureStudyTopics } from './study-topics.js';

export interface StudyCoordinatorOptions {
  readonly brokers: Brokers;
  readonly trialsTopic: string;
  readonly resultsTopic: string;
  readonly strategy: { readonly path: string; readonly sha256: string };
  readonly config: Config;
  readonly data: DataSpec;
  /** Messages each batch of the study is split into (the workers expected to share it). */
  readonly split: number;
  /** Told each result as it arrives (progress, workers seen). */
  readonly onResult?: (worker: string) => void;
}

/** A worker refused a batch (different data or strategy) or failed it: the study stops with its words. */
export class DistributedStudyError extends Error {
  override readonly name = 'DistributedStudyError';
  readonly userError = true;
}

interface Waiting {
  readonly ids: Set<number>;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * The coordinator's side of a study on the workers' consumer group: a {@link BatchEvaluator} for `optimize` that
 * splits each batch into `split` messages of the trials topic and resolves once every trial has a result. Results
 * are kept by trial id (the first one; a re-delivered batch's duplicate is dropped), so what the study sees depends
 * only on the trials it proposed — in trial-id order — never on which worker answered or when.
 */
export class StudyCoordinator {
  readonly study = randomUUID();
  private readonly results = new Map<number, CandidateResult>();
  private readonly names = new Map<number, string>();
  private waiting: Waiting | null = null;
  private failure: Error | null = null;
  private nextTrial = 1;
  private nextBatch = 0;
  readonly workersSeen = new Set<string>();

  private constructor(
    private readonly o: StudyCoordinatorOptions,
    private readonly producer: Producer,
    private readonly consumer: Consumer,
    private readonly partitions: number,
  ) {}

  static async open(o: StudyCoordinatorOptions): Promise<StudyCoordinator> {
    await ensureStudyTopics(o.brokers, o.trialsTopic, o.resultsTopic);
    const kafka = createKafka({ brokers: o.brokers, clientId: 'tickflow-coordinator' });
    const admin = kafka.admin();
    await admin.connect();
    let partitions: number;
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [o.trialsTopic] });
      partitions = Math.max(1, topics[0]?.partitions.length ?? 1);
    } finally {
      await admin.disconnect();
    }
    const producer = createIdempotentProducer(kafka);
    const coordinator = new StudyCoordinator(o, producer, kafka.consumer({ groupId: `tickflow-coordinator-${randomUUID()}`, maxWaitTimeInMs: 200 }), partitions);
    await producer.connect();
    await coordinator.listen();
    return coordinator;
  }

  /** Reads the results topic from its start (a study's results may precede the subscription) and keeps this study's. */
  private async listen(): Promise<void> {
    const c = this.consumer;
    await c.connect();
    await c.subscribe({ topics: [this.o.resultsTopic], fromBeginning: true });
    await c.run({
      eachMessage: async ({ topic, partition, message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith(`${this.study}/`)) return;
        let r;
        try {
          r = decodeMessage(TrialResultSchema, message.value, `${topic}[${partition}]@${message.offset}`);
        } catch (err) {
          return this.fail(new Error(`study ${this.study}: a result cannot be read: ${describeError(err)}`));
        }
        if (r.study !== this.study || key !== resultKey(r.study, r.trial)) return;
        if (this.results.has(r.trial)) return;
        if (!r.ok) return this.fail(new DistributedStudyError(r.error));
        const name = this.names.get(r.trial);
        if (name !== undefined && name !== r.name) return this.fail(new Error(`study ${this.study}: trial ${r.trial} is ${name}, a result names ${r.name}`));
        this.results.set(r.trial, { statistics: r.result.statistics as unknown as BacktestStatistics, closed: r.result.closed as unknown as SignalEvent[], errors: r.result.errors });
        this.workersSeen.add(r.worker);
        this.o.onResult?.(r.worker);
        const w = this.waiting;
        if (w !== null) {
          w.ids.delete(r.trial);
          if (w.ids.size === 0) {
            this.waiting = null;
            w.resolve();
          }
        }
      },
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(err);
  }

  /** The evaluator `optimize` calls with each batch, in order. */
  readonly evaluate: BatchEvaluator = async (batch, timerange) => {
    if (this.failure !== null) throw this.failure;
    const trials = batch.map((c) => ({ id: this.nextTrial++, name: c.name, params: { ...c.params } }));
    for (const t of trials) this.names.set(t.id, t.name);
    const done = new Promise<void>((resolve, reject) => {
      const ids = new Set(trials.filter((t) => !this.results.has(t.id)).map((t) => t.id));
      if (ids.size === 0) resolve();
      else this.waiting = { ids, resolve, reject };
    });
    const share = Math.ceil(trials.length / this.o.split);
    const messages = [];
    for (let i = 0; i < trials.length; i += share) {
      const n = this.nextBatch++;
      const message: TrialBatch = {
        v: 1,
        study: this.study,
        batch: n,
        strategy: { ...this.o.strategy },
        config: { ...this.o.config },
        timerange: timerange === undefined ? null : { from: timerange.from, to: timerange.to },
        data: this.o.data,
        trials: trials.slice(i, i + share),
      };
      messages.push({ partition: n % this.partitions, key: `${this.study}/${n}`, value: encodeMessage(message) });
    }
    await this.producer.send({ topic: this.o.trialsTopic, messages });
    await done;
    return new Map(trials.map((t) => [t.name, this.results.get(t.id)!]));
  };

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}
