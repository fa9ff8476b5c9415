import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { Observable, type Subscriber } from 'rxjs';
import { z } from 'zod';
import type { SymbolCandle } from '../core/candle.js';
import { IntervalSchema, type Interval } from '../core/intervals.js';
import { backoffMs, BrokersSchema, createKafka, describeError } from './client.js';
import { fn, GateSchema, parseOptions } from './options.js';
import { parseCandleMessage } from './candle-message.js';
import { DeadLetterWriter } from './dead-letter.js';
import { OffsetTracker } from './offsets.js';

/** Where a candle was read: for errors, logs and de-duplication downstream. */
export interface KafkaOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A candle read from Kafka, with the hook that lets its offset be committed. */
export interface KafkaCandle extends SymbolCandle {
  readonly origin: KafkaOrigin;
  /**
   * This candle is processed (its lanes' transitions are checkpointed): the same as
   * `source.commit(symbol, candle.timestamp)`.
   */
  ack(): void;
}

/** Something the source skipped or could not do; it never stops the stream. */
export interface KafkaCandleProblem {
  /**
   * `malformed`: a record that cannot be used — not a valid candle message, off its interval's grid, not closed yet,
   * or of another interval than the topic's (skipped, or copied to the dead-letter topic); `commit`: an offset
   * commit failed; `consumer`: the client failed and is retrying; `dead-letter`: a write to the dead-letter topic
   * failed (retried); `changelog`: a live node's changelog write or standby read failed (retried) or a changelog
   * record was unreadable (skipped).
   */
  readonly kind: 'malformed' | 'commit' | 'consumer' | 'dead-letter' | 'changelog';
  readonly topic: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly message: string;
  readonly cause?: unknown;
}

export const KafkaCandlesOptionsSchema = z.strictObject({
  brokers: BrokersSchema,
  topic: z.string().min(1),
  /** Consumers with one group id share the topic's partitions (and so its symbols) between them. */
  groupId: z.string().min(1),
  clientId: z.string().min(1).optional(),
  /**
   * The topic's candle interval: a record of another interval cannot be used (default: each symbol's first candle
   * read fixes its interval).
   */
  interval: IntervalSchema.optional(),
  /**
   * Unusable records are copied here (key, value and headers, plus `tickflow-error`, `tickflow-topic`,
   * `tickflow-partition` and `tickflow-offset` headers); a record's offset is committed only once the copy is
   * written. Default: reported and skipped.
   */
  deadLetterTopic: z.string().min(1).optional(),
  /** A group with no committed offset starts at the oldest record (default: only new records). */
  fromBeginning: z.boolean().default(false),
  /**
   * Count a candle as processed as soon as it is emitted (default false: call `ack()` / `commit()` once it is
   * checkpointed, so a crash re-reads instead of losing it).
   */
  autoAck: z.boolean().default(false),
  /** Records read but not yet committable before reading pauses until acknowledgements catch up (default 10000). */
  maxPending: z.number().int().positive().default(10_000),
  /**
   * How long the group waits for a silent member before moving its partitions (default 30000; the broker allows
   * 6000 and up). Also how long a restarted broker waits for the members it remembers before rebalancing.
   */
  sessionTimeout: z.number().int().min(1_000).default(30_000),
  /** Reading pauses while the pipeline holds this gate. */
  gate: GateSchema.optional(),
  /** Told of each skipped record and each failure (default: a warning on stderr). */
  onError: fn<(problem: KafkaCandleProblem) => void>('onError').optional(),
  /** kafkajs log level (default: nothing; problems go to `onError`). */
  logLevel: z.number().int().optional(),
  /**
   * Told the topic's partitions this member owns after each rebalance, before any record of the new assignment is
   * emitted: a pipeline keeping per-symbol state drops the symbols that moved away (their new owner advances them).
   */
  onAssign: fn<(partitions: readonly number[]) => void>('onAssign').optional(),
});

export type KafkaCandlesOptions = z.input<typeof KafkaCandlesOptionsSchema>;
type Options = z.output<typeof KafkaCandlesOptionsSchema>;

export class KafkaSourceError extends Error {
  override readonly name = 'KafkaSourceError';
}

/**
 * Candles from a Kafka topic (see `CandleMessageSchema` for the record format), each validated; a record that cannot
 * be used — not a candle message, a candle off its interval's grid or not closed yet, a candle of another interval
 * than the topic's — is reported with its topic, partition and offset (once, however often it is re-read) and
 * skipped, or copied to `deadLetterTopic`; its offset is committed in order like any other. One symbol's candles come in order (they share a
 * partition, keyed by symbol); a candle at or before one already emitted for its symbol (a re-delivery) is not
 * emitted again. Different symbols are not merged by time.
 *
 * Offsets are committed only for what downstream has acknowledged — `candle.ack()` or `source.commit(symbol, ts)`
 * once the candle's transitions are checkpointed — so a crash re-reads rather than loses candles (auto-commit is
 * off). At most `maxPending` records wait for acknowledgement before reading pauses. The stream never completes on
 * its own; unsubscribing commits what is acknowledged and leaves the group. Subscribe once per source.
 *
 * @example
 * ```ts
 * const candles = kafkaCandles({ brokers: '127.0.0.1:9092', topic: 'candles', groupId: 'live-1', fromBeginning: true });
 * candles.subscribe((c) => {
 *   process(c);
 *   c.ack(); // or later, after the checkpoint: candles.commit(c.symbol, c.candle.timestamp)
 * });
 * ```
 */
export function kafkaCandles(options: KafkaCandlesOptions): KafkaCandleSource {
  return new KafkaCandleSource(parseOptions(KafkaCandlesOptionsSchema, options, 'kafkaCandles'));
}

export class KafkaCandleSource extends Observable<KafkaCandle> {
  private readonly sessions = new Set<Session>();

  /** @internal use {@link kafkaCandles} */
  constructor(options: Options) {
    super((subscriber) => {
      const session = new Session(options, subscriber);
      this.sessions.add(session);
      session.start();
      return () => {
        this.sessions.delete(session);
        session.stop();
      };
    });
  }

  /** Downstream has processed (checkpointed) `symbol` up to and including the candle at `timestamp`. */
  commit(symbol: string, timestamp: number): void {
    for (const s of this.sessions) s.processed(symbol, timestamp);
  }
}

/** One subscription: one consumer in the group. */
class Session {
  private readonly consumer: Consumer;
  private readonly tracker = new OffsetTracker();
  private readonly lastEmitted = new Map<string, number>();
  /** Each symbol's interval (from `interval`, else its first candle). */
  private readonly intervals = new Map<string, Interval>();
  /** The highest offset reported unusable, by partition: a re-read (after a rebalance) is not reported again. */
  private readonly reported = new Map<number, bigint>();
  /** Tickets of dead-letter writes not yet acknowledged, by `partition:offset`, for records read again meanwhile. */
  private readonly lettering = new Map<string, number>();
  private readonly deadLetters: DeadLetterWriter | null;
  private stopped = false;
  private committing: Promise<void> | null = null;
  /** Set by kafkajs's commit event: its `commitOffsets` resolves without committing while the consumer restarts. */
  private commitConfirmed = false;
  /** A commit kafkajs dropped or the broker refused, to be offered again. */
  private unconfirmed = false;
  private commitAgain = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly o: Options,
    private readonly subscriber: Subscriber<KafkaCandle>,
  ) {
    const kafka = createKafka({ brokers: o.brokers, clientId: o.clientId, logLevel: o.logLevel });
    const deadLetterTopic = o.deadLetterTopic;
    this.deadLetters =
      deadLetterTopic === undefined
        ? null
        : new DeadLetterWriter({
            brokers: o.brokers,
            topic: deadLetterTopic,
            clientId: o.clientId,
            onError: (message, cause) => this.report({ kind: 'dead-letter', topic: deadLetterTopic, message, cause }),
          });
    this.consumer = kafka.consumer({
      groupId: o.groupId,
      maxWaitTimeInMs: 1_000,
      sessionTimeout: o.sessionTimeout,
      heartbeatInterval: Math.min(3_000, Math.floor(o.sessionTimeout / 3)),
    });
    const { GROUP_JOIN, CRASH, COMMIT_OFFSETS, FETCH_START } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment[o.topic] ?? [];
      this.tracker.retain(new Set(assigned));
      if (this.stopped) return;
      o.onAssign?.(assigned);
    });
    // Fetching means running again: commit what kafkajs dropped while its consumer restarted.
    this.consumer.on(FETCH_START, () => {
      if (this.unconfirmed && !this.stopped) this.scheduleCommit();
    });
    this.consumer.on(COMMIT_OFFSETS, () => {
      this.commitConfirmed = true;
    });
    this.consumer.on(CRASH, ({ payload }) => {
      if (this.stopped) return;
      const restart = payload.restart ? 'restarting' : 'not restarting';
      const cause = payload.error;
      this.report({ kind: 'consumer', topic: o.topic, message: `consumer failed (${restart}): ${describeError(cause)}`, cause });
      if (payload.restart) return;
      this.subscriber.error(new KafkaSourceError(`kafkaCandles: consumer stopped: ${describeError(cause)}`, { cause }));
    });
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.notify();
    // Commit what was acknowledged, then leave the group so its partitions move on at once.
    void this.flushCommits()
      .catch(() => undefined)
      .then(() => this.consumer.disconnect())
      .catch(() => undefined);
    void this.deadLetters?.close();
  }

  processed(symbol: string, timestamp: number): void {
    this.tracker.processed(symbol, timestamp);
    this.scheduleCommit();
    this.notify();
  }

  // Joining needs the broker: keep trying (reporting each failure) until it answers or we are unsubscribed.
  private async run(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.consumer.connect();
        // Unsubscribed meanwhile: stop() may have disconnected before this connect finished.
        if (this.stopped) return void (await this.consumer.disconnect());
        await this.consumer.subscribe({ topics: [this.o.topic], fromBeginning: this.o.fromBeginning });
        if (this.stopped) return void (await this.consumer.disconnect());
        await this.consumer.run({
          autoCommit: false,
          // Resolve per record: when we stop early, the unprocessed rest of a batch is fetched again.
          eachBatchAutoResolve: false,
          eachBatch: (payload) => this.eachBatch(payload),
        });
        return;
      } catch (err) {
        if (this.stopped) return;
        const delay = backoffMs(attempt);
        const message = `cannot join group ${this.o.groupId} (attempt ${attempt}, retrying in ${delay} ms): ${describeError(err)}`;
        this.report({ kind: 'consumer', topic: this.o.topic, message, cause: err });
        await this.consumer.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      if (this.stopped || !isRunning() || isStale()) return;
      if (!this.ready()) {
        await this.waitReady(heartbeat);
        if (this.stopped || !isRunning() || isStale()) return;
      }
      this.handle(batch.topic, batch.partition, message);
      resolveOffset(message.offset);
    }
  }

  private handle(topic: string, partition: number, message: KafkaMessage): void {
    let c: SymbolCandle;
    try {
      c = parseCandleMessage(message.value, `topic ${topic} partition ${partition} offset ${message.offset}`);
      const expected = this.o.interval ?? this.intervals.get(c.symbol) ?? c.interval;
      if (c.interval !== expected) {
        const why = this.o.interval === undefined ? `its first candle's` : 'the topic’s';
        const at = `topic ${topic} partition ${partition} offset ${message.offset}`;
        throw new Error(`${at}: a ${c.interval} candle for ${c.symbol}, but ${why} interval is ${expected}`);
      }
    } catch (err) {
      this.unusable(topic, partition, message, (err as Error).message, err);
      return;
    }
    this.intervals.set(c.symbol, c.interval);
    const { symbol } = c;
    const timestamp = c.candle.timestamp;
    this.tracker.track(partition, message.offset, { symbol, timestamp });
    const last = this.lastEmitted.get(symbol);
    if (last !== undefined && timestamp <= last) {
      // Seen already (re-delivered after a rebalance): committable once the original is processed.
      this.scheduleCommit();
      return;
    }
    this.lastEmitted.set(symbol, timestamp);
    const item: KafkaCandle = {
      symbol,
      interval: c.interval,
      candle: c.candle,
      origin: { topic, partition, offset: message.offset },
      ack: () => this.processed(symbol, timestamp),
    };
    this.subscriber.next(item);
    if (this.o.autoAck) this.processed(symbol, timestamp);
  }

  // Reported (and dead-lettered) once per session; committable in order once skipped or written.
  private unusable(topic: string, partition: number, message: KafkaMessage, reason: string, cause: unknown): void {
    const { offset } = message;
    const at = BigInt(offset);
    const seen = this.reported.get(partition);
    if (seen !== undefined && at <= seen) {
      this.tracker.trackUnusable(partition, offset, this.lettering.get(`${partition}:${offset}`) ?? 0);
      this.scheduleCommit();
      return;
    }
    this.reported.set(partition, at);
    this.report({ kind: 'malformed', topic, partition, offset, message: reason, cause });
    if (this.deadLetters === null) {
      this.tracker.trackUnusable(partition, offset);
      this.scheduleCommit();
      return;
    }
    const ticket = this.tracker.ticket();
    const key = `${partition}:${offset}`;
    this.lettering.set(key, ticket);
    this.tracker.trackUnusable(partition, offset, ticket);
    void this.deadLetters.write({ topic, partition, message, reason }).then(() => {
      this.lettering.delete(key);
      this.tracker.written(ticket);
      if (!this.stopped) this.scheduleCommit();
    });
  }

  private ready(): boolean {
    return !this.o.gate?.blocked && this.tracker.pending < this.o.maxPending;
  }

  // Wait for the gate or for acknowledgements, heartbeating so the group does not consider us dead meanwhile.
  private async waitReady(heartbeat: () => Promise<void>): Promise<void> {
    while (!this.stopped && !this.ready()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.o.gate?.blocked ? this.o.gate.whenOpen() : new Promise<void>(() => undefined),
        new Promise<void>((resolve) => (this.wake = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000))),
      ]);
      clearTimeout(timer);
      this.wake = null;
      await heartbeat().catch(() => undefined);
    }
  }

  private notify(): void {
    this.wake?.();
  }

  private scheduleCommit(): void {
    if (this.committing) {
      this.commitAgain = true;
      return;
    }
    this.committing = Promise.resolve().then(() => this.commitLoop());
  }

  // One commit request at a time; acknowledgements arriving meanwhile are folded into the next.
  private async commitLoop(): Promise<void> {
    try {
      do {
        this.commitAgain = false;
        const offsets = this.tracker.takeCommits();
        this.notify(); // the pending window may have shrunk
        if (offsets.length === 0) continue;
        try {
          this.commitConfirmed = false;
          await this.consumer.commitOffsets(offsets.map((p) => ({ topic: this.o.topic, ...p })));
          // Unconfirmed: kafkajs dropped it (its consumer is restarting); offered again once it fetches.
          if (this.commitConfirmed) this.tracker.confirm(offsets);
          this.unconfirmed = !this.commitConfirmed;
        } catch (err) {
          // Not fatal: offered again by the next commit (or the retry below); meanwhile at worst the next owner
          // re-reads a few candles.
          const where = offsets.map((p) => `partition ${p.partition} offset ${p.offset}`).join(', ');
          const message = `commit of ${where} failed: ${describeError(err)}`;
          this.report({ kind: 'commit', topic: this.o.topic, message, cause: err });
          this.unconfirmed = true;
        }
      } while (this.commitAgain);
    } finally {
      this.committing = null;
    }
  }

  private async flushCommits(): Promise<void> {
    while (this.committing) await this.committing;
    this.scheduleCommit();
    while (this.committing) await this.committing;
  }

  private report(problem: KafkaCandleProblem): void {
    if (this.o.onError) this.o.onError(problem);
    else console.warn(`kafkaCandles: ${problem.message}`);
  }
}
