import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import { backoffMs, createKafka, describeError, type Brokers } from './client.js';
import { changelogKey, parseChangelogMessage } from './changelog-message.js';
import type { CandleCache, CheckpointEntry, CheckpointStore } from '../store/types.js';
import { CandleCacheBatch } from './candle-cache-batch.js';
import { parseCandleMessage } from './candle-message.js';

export interface StandbyReplicaOptions {
  readonly brokers: Brokers;
  readonly clientId?: string;
  /** The replica's own consumer group: unique to this node, never committed (it always reads from the start). */
  readonly groupId: string;
  readonly changelogTopic: string;
  readonly candleTopic: string;
  readonly store: CheckpointStore & { readonly candles: CandleCache };
  /** Told of each unreadable changelog record (skipped) and each consumer failure (retried). */
  readonly onError: (message: string, cause: unknown) => void;
}

/**
 * A standby copy, in this node's own store, of every lane's state and every symbol's candles — Kafka Streams'
 * standby replica. It reads the changelog topic (lane checkpoints) and the candle topic from the start and keeps
 * reading: a checkpoint is stored when it is newer than the one the store holds (by candle time: lanes are
 * deterministic, so two checkpoints of one lane at one time are the same state), candles go to the candle cache.
 * When a partition moves here, the node waits for {@link caughtUp} and then restores the partition's lanes and
 * their price history from its own store, exactly where the previous owner left them.
 */
export class StandbyReplica {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private adminConnected: Promise<void> | null = null;
  /** Next offset to read, by `topic:partition`. */
  private readonly positions = new Map<string, bigint>();
  /** Newest checkpoint time seen in the changelog, by lane. */
  private readonly logged = new Map<string, number>();
  private waiters: Array<() => void> = [];
  private stopped = false;
  private readonly cache: CandleCacheBatch;

  constructor(private readonly o: StandbyReplicaOptions) {
    const kafka = createKafka({ brokers: o.brokers, clientId: o.clientId ?? 'tickflow-replica' });
    this.consumer = kafka.consumer({ groupId: o.groupId, maxWaitTimeInMs: 500 });
    this.cache = new CandleCacheBatch(o.store.candles);
    this.admin = kafka.admin();
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!this.stopped) this.o.onError(`standby replica consumer failed (${payload.restart ? 'restarting' : 'not restarting'}): ${describeError(payload.error)}`, payload.error);
      if (!payload.restart && !this.stopped) void this.restart();
    });
  }

  start(): void {
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.consumer.disconnect().catch(() => undefined), this.admin.disconnect().catch(() => undefined)]);
  }

  /** The newest checkpoint time of the lane that the changelog is known to hold (what may be committed against). */
  logs(strategy: string, symbol: string): number {
    return this.logged.get(changelogKey(strategy, symbol)) ?? -Infinity;
  }

  /**
   * Resolves once the replica has read both topics up to where they ended when it was called: every checkpoint a
   * previous owner had in the changelog before its candle offsets were committed, and every candle before them.
   */
  async caughtUp(): Promise<void> {
    const ends = await this.ends();
    const reached = () => ends.every(({ key, high }) => (this.positions.get(key) ?? -1n) >= high);
    while (!this.stopped && !reached()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private async ends(): Promise<Array<{ key: string; high: bigint }>> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.adminConnected ??= this.admin.connect().catch((err: unknown) => {
          this.adminConnected = null;
          throw err;
        });
        await this.adminConnected;
        const out: Array<{ key: string; high: bigint }> = [];
        for (const topic of [this.o.changelogTopic, this.o.candleTopic]) {
          for (const p of await this.admin.fetchTopicOffsets(topic)) {
            // An empty (or fully expired) partition has nothing to read.
            if (BigInt(p.high) > BigInt(p.low)) out.push({ key: `${topic}:${p.partition}`, high: BigInt(p.high) });
          }
        }
        return out;
      } catch (err) {
        if (this.stopped) return [];
        const delay = backoffMs(attempt);
        this.o.onError(`standby replica: cannot read the end offsets (attempt ${attempt}, retrying in ${delay} ms): ${describeError(err)}`, err);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async run(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.consumer.connect();
        if (this.stopped) return void (await this.consumer.disconnect());
        await this.consumer.subscribe({ topics: [this.o.changelogTopic, this.o.candleTopic], fromBeginning: true });
        await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.eachBatch(payload) });
        return;
      } catch (err) {
        if (this.stopped) return;
        const delay = backoffMs(attempt);
        this.o.onError(`standby replica cannot start (attempt ${attempt}, retrying in ${delay} ms): ${describeError(err)}`, err);
        await this.consumer.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async restart(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    void this.run();
  }

  private async eachBatch({ batch }: EachBatchPayload): Promise<void> {
    if (this.stopped || batch.messages.length === 0) return;
    if (batch.topic === this.o.changelogTopic) this.applyCheckpoints(batch.topic, batch.partition, batch.messages);
    else this.cacheCandles(batch.topic, batch.partition, batch.messages);
    const last = batch.messages[batch.messages.length - 1]!;
    this.positions.set(`${batch.topic}:${batch.partition}`, BigInt(last.offset) + 1n);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private applyCheckpoints(topic: string, partition: number, messages: EachBatchPayload['batch']['messages']): void {
    const newest = new Map<string, CheckpointEntry>();
    for (const m of messages) {
      let record;
      try {
        record = parseChangelogMessage(m.value, `topic ${topic} partition ${partition} offset ${m.offset}`);
      } catch (err) {
        this.o.onError((err as Error).message, err);
        continue;
      }
      const { strategy, symbol, checkpoint } = record;
      const key = changelogKey(strategy, symbol);
      if (checkpoint.lastTimestamp <= (this.logged.get(key) ?? -Infinity)) continue;
      this.logged.set(key, checkpoint.lastTimestamp);
      newest.set(key, { strategy, symbol, checkpoint });
    }
    const entries = [...newest.values()].filter((e) => {
      const local = this.o.store.readCheckpoint(e.strategy, e.symbol);
      return local === undefined || local.lastTimestamp < e.checkpoint.lastTimestamp;
    });
    if (entries.length === 0) return;
    if (this.o.store.writeCheckpoints) this.o.store.writeCheckpoints(entries);
    else for (const e of entries) this.o.store.writeCheckpoint(e.strategy, e.symbol, e.checkpoint);
  }

  // A symbol's consecutive candles go to the cache in one write, their span marked as fetched.
  private cacheCandles(topic: string, partition: number, messages: EachBatchPayload['batch']['messages']): void {
    for (const m of messages) {
      let c;
      try {
        c = parseCandleMessage(m.value, `topic ${topic} partition ${partition} offset ${m.offset}`);
      } catch {
        continue; // the node's candle source reports it; reporting it twice would say nothing new
      }
      this.cache.add(c.symbol, c.interval, c.candle);
    }
    this.cache.flush();
  }
}
