import type { Message, TopicMessages } from 'kafkajs';
import type { FlowGate } from '../core/flow-gate.js';
import { backoffMs } from './client.js';

/** One Kafka record an item turns into. */
export interface TopicMessage {
  readonly topic: string;
  readonly message: Message;
}

export interface BatcherOptions<T> {
  /** Send one batch; resolves once the broker acknowledged all of it. */
  readonly send: (batch: TopicMessages[]) => Promise<unknown>;
  /** Items buffered or unacknowledged before the gate is held. */
  readonly maxInFlight: number;
  /** Items per send. */
  readonly batchSize: number;
  /**
   * Bytes of keys, values and headers per send (at least one item is always sent). The broker refuses a record batch
   * above its `message.max.bytes` (1 MiB by default) and would refuse it on every retry: a batch must stay below it.
   */
  readonly maxBatchBytes?: number;
  /** Held while the buffer is full, so a gated source waits. */
  readonly gate?: FlowGate;
  /** Items acknowledged by the broker, in the order they were pushed. */
  readonly acked: (items: readonly T[]) => void;
  /** A send failed; the same batch is sent again after `delayMs`. */
  readonly failed: (err: unknown, attempt: number, delayMs: number, items: readonly T[]) => void;
  /** Give up after this many failed attempts of one batch (default: never — nothing is dropped). */
  readonly maxRetries?: number;
  /** Called once when retries are exhausted; nothing more is sent. */
  readonly fatal: (err: unknown) => void;
}

interface Entry<T> {
  readonly item: T;
  readonly records: readonly TopicMessage[];
  readonly bytes: number;
}

/**
 * Ordered, bounded, retrying batches: one send at a time (a lane's records can never overtake each other), a batch
 * is re-sent unchanged until acknowledged (so an idempotent producer recognises a duplicate), and items are
 * released in push order. An item with no records still waits its turn, so order downstream is the order pushed.
 */
export class OrderedBatcher<T> {
  private readonly queue: Entry<T>[] = [];
  private head = 0;
  private sending = false;
  private scheduled = false;
  private holding = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private failure: { err: unknown } | undefined;

  constructor(private readonly options: BatcherOptions<T>) {}

  /** Items pushed and not yet acknowledged. */
  get size(): number {
    return this.queue.length - this.head;
  }

  push(item: T, records: readonly TopicMessage[]): void {
    if (this.closed) return;
    this.queue.push({ item, records, bytes: this.options.maxBatchBytes === undefined ? 0 : recordBytes(records) });
    if (!this.holding && this.size >= this.options.maxInFlight && this.options.gate) {
      this.holding = true;
      this.options.gate.hold();
    }
    this.schedule();
  }

  /** Resolves when everything pushed so far is acknowledged; rejects if retries were exhausted. */
  drained(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.err);
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stop: no more sends or retries; what is unacknowledged is abandoned. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.releaseGate();
  }

  // A microtask, so a synchronous burst of pushes becomes one batch rather than one send per item.
  private schedule(): void {
    if (this.scheduled || this.sending || this.closed) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.next();
    });
  }

  private next(): void {
    if (this.sending || this.closed) return;
    if (this.size === 0) {
      this.compact();
      this.releaseGate();
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve();
      return;
    }
    const entries = this.queue.slice(this.head, this.batchEnd());
    this.sending = true;
    this.attempt(entries, groupByTopic(entries), 1);
  }

  private attempt(entries: readonly Entry<T>[], batch: TopicMessages[], attempt: number): void {
    const sent = batch.length === 0 ? Promise.resolve() : this.options.send(batch);
    sent.then(
      () => {
        if (this.closed) return;
        this.head += entries.length;
        if (this.head >= 1024) this.compact();
        this.sending = false;
        if (this.holding && this.size <= this.options.maxInFlight / 2) this.releaseGate();
        this.options.acked(entries.map((e) => e.item));
        this.next();
      },
      (err: unknown) => {
        if (this.closed) return;
        const max = this.options.maxRetries ?? Infinity;
        if (attempt > max) {
          this.sending = false;
          this.fail(err);
          return;
        }
        const delay = backoffMs(attempt);
        this.options.failed(err, attempt, delay, entries.map((e) => e.item));
        if (this.closed) return;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (!this.closed) this.attempt(entries, batch, attempt + 1);
        }, delay);
      },
    );
  }

  private batchEnd(): number {
    const end = Math.min(this.queue.length, this.head + this.options.batchSize);
    const max = this.options.maxBatchBytes;
    if (max === undefined) return end;
    let bytes = this.queue[this.head]!.bytes;
    let i = this.head + 1;
    for (; i < end; i++) {
      bytes += this.queue[i]!.bytes;
      if (bytes > max) break;
    }
    return i;
  }

  private fail(err: unknown): void {
    this.failure = { err };
    this.close();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
    this.options.fatal(err);
  }

  private releaseGate(): void {
    if (!this.holding) return;
    this.holding = false;
    this.options.gate?.release();
  }

  // Drop acknowledged entries now and then so the queue array does not grow with the run.
  private compact(): void {
    if (this.head > 0) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

const byteLength = (v: Buffer | string | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

function recordBytes(records: readonly TopicMessage[]): number {
  let n = 0;
  for (const { message } of records) {
    n += byteLength(message.key) + byteLength(message.value);
    for (const [k, v] of Object.entries(message.headers ?? {})) {
      n += Buffer.byteLength(k);
      for (const x of Array.isArray(v) ? v : [v]) n += byteLength(x as Buffer | string | undefined);
    }
  }
  return n;
}

function groupByTopic<T>(entries: readonly Entry<T>[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { records } of entries) {
    for (const { topic, message } of records) {
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push(message);
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
