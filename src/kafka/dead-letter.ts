import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { backoffMs, createIdempotentProducer, createKafka, describeError, type Brokers } from './client.js';

export interface DeadLetterOptions {
  readonly brokers: Brokers;
  readonly topic: string;
  readonly clientId?: string;
  /** Told of each failed attempt (the writer retries with backoff until it is closed). */
  readonly onError: (message: string, cause: unknown) => void;
}

/** Where an unusable record came from and why it could not be used. */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly reason: string;
}

/** Header values are bounded: the reason quotes the record, and the record itself is already the value. */
const MAX_REASON = 1_000;

/**
 * Copies unusable records to a dead-letter topic: the original key, value and headers, plus `tickflow-error` (why),
 * `tickflow-topic`, `tickflow-partition` and `tickflow-offset` (where it was read). Writes go out one at a time, in
 * the order they were asked for, each resolving once the broker has it; a failed write is retried with backoff until
 * it succeeds or the writer is closed (then it never resolves, and the record's offset is never committed: the next
 * reader of the partition finds the record again).
 */
export class DeadLetterWriter {
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** The backoff wait in progress: ended at once by `close`, so no timer outlives the writer. */
  private backoff: { timer: ReturnType<typeof setTimeout>; end: () => void } | null = null;

  constructor(private readonly o: DeadLetterOptions) {
    this.producer = createIdempotentProducer(createKafka({ brokers: o.brokers, clientId: o.clientId ?? 'tickflow-dead-letter' }));
  }

  write(letter: DeadLetter): Promise<void> {
    const done = this.chain.then(() => this.deliver(letter));
    this.chain = done;
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.backoff !== null) {
      clearTimeout(this.backoff.timer);
      this.backoff.end();
    }
    await this.producer.disconnect().catch(() => undefined);
  }

  private async deliver({ topic, partition, message, reason }: DeadLetter): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      'tickflow-error': reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason,
      'tickflow-topic': topic,
      'tickflow-partition': String(partition),
      'tickflow-offset': message.offset,
    };
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return new Promise<void>(() => undefined);
      try {
        this.connected ??= this.producer.connect().catch((err: unknown) => {
          this.connected = null;
          throw err;
        });
        await this.connected;
        await this.producer.send({ topic: this.o.topic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
        return;
      } catch (err) {
        if (this.closed) return new Promise<void>(() => undefined);
        const delay = backoffMs(attempt);
        const where = `topic ${topic} partition ${partition} offset ${message.offset}`;
        this.o.onError(`cannot write ${where} to the dead-letter topic ${this.o.topic} (attempt ${attempt}, retrying in ${delay} ms): ${describeError(err)}`, err);
        await new Promise<void>((end) => (this.backoff = { timer: setTimeout(end, delay), end }));
        this.backoff = null;
      }
    }
  }
}
