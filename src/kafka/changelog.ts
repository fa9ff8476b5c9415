import type { Message, Producer } from 'kafkajs';
import { changelogKey, changelogMessage } from './changelog-message.js';
import type { CheckpointEntry } from '../store/types.js';
import { backoffMs, createIdempotentProducer, createKafka, describeError, type Brokers } from './client.js';

/** Keeps a produce request well under the broker's default `message.max.bytes` (1 MiB). */
const MAX_REQUEST_BYTES = 512 * 1024;

export interface ChangelogWriterOptions {
  readonly brokers: Brokers;
  readonly topic: string;
  readonly clientId?: string;
  /** Told of each failed attempt (the writer keeps retrying with backoff until it is closed). */
  readonly onError: (message: string, cause: unknown) => void;
}

/**
 * Appends lane checkpoints to the changelog topic. Each `write` resolves once the broker has its checkpoints (or
 * newer ones of the same lanes). While a request is in flight, further writes are merged into the next one, keeping
 * only each lane's newest checkpoint — what compaction would keep anyway — so a node catching up on a backlog of
 * candles never queues more than one checkpoint per lane, and its commits keep pace. An idempotent producer with one
 * request in flight: a retried request is never written twice and records never overtake each other. A failed
 * request is sent again, unchanged, with backoff, until it succeeds or the writer is closed; then the waiting writes
 * never resolve, and their candles' offsets are never committed: the next owner re-reads them.
 */
export class ChangelogWriter {
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;
  /** The next request: the newest checkpoint of each lane written since the request in flight was taken. */
  private next = new Map<string, CheckpointEntry>();
  private nextWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private sending = false;
  private closed = false;

  constructor(private readonly o: ChangelogWriterOptions) {
    this.producer = createIdempotentProducer(createKafka({ brokers: o.brokers, clientId: o.clientId ?? 'tickflow-changelog' }));
  }

  write(entries: readonly CheckpointEntry[]): Promise<void> {
    for (const e of entries) this.next.set(changelogKey(e.strategy, e.symbol), e);
    const written = new Promise<void>((resolve) => this.nextWaiters.push(resolve));
    void this.pump();
    return written;
  }

  /** Resolves once every checkpoint written so far is acknowledged. */
  flush(): Promise<void> {
    if (!this.sending && this.next.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.producer.disconnect().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (this.next.size > 0) {
      const entries = [...this.next.values()];
      const waiters = this.nextWaiters;
      this.next = new Map();
      this.nextWaiters = [];
      for (const messages of chunk(entries.map(changelogMessage))) {
        if (!(await this.send(messages))) return; // closed: nothing more resolves
      }
      for (const w of waiters) w();
    }
    this.sending = false;
    const idle = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of idle) w();
  }

  /** Sends until the broker has the request (true), or the writer is closed (false). */
  private async send(messages: Message[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return false;
      try {
        // Connected once: kafkajs reconnects by itself, and the same producer keeps the idempotence sequence.
        this.connected ??= this.producer.connect().catch((err: unknown) => {
          this.connected = null;
          throw err;
        });
        await this.connected;
        await this.producer.send({ topic: this.o.topic, messages, acks: -1 });
        return true;
      } catch (err) {
        if (this.closed) return false;
        const delay = backoffMs(attempt);
        this.o.onError(`changelog ${this.o.topic}: write of ${messages.length} checkpoint(s) failed (attempt ${attempt}, retrying in ${delay} ms): ${describeError(err)}`, err);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

function chunk(messages: Message[]): Message[][] {
  const out: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = (m.value as string).length + (m.key as string).length;
    if (current.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
