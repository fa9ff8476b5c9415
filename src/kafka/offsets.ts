interface Entry {
  readonly offset: bigint;
  /**
   * null: a record that emitted nothing (unusable); done at once, or, when it goes to a dead-letter topic, once
   * that write with ticket `timestamp` is acknowledged.
   */
  readonly symbol: string | null;
  readonly timestamp: number;
}

interface PartitionQueue {
  entries: Entry[];
  head: number;
  /** The next offset to read after the longest done prefix (what may be committed), or null. */
  done: bigint | null;
  /** The next offset the broker confirmed as committed (Kafka commits "the next offset to read"), or null. */
  committed: bigint | null;
}

/**
 * Which offsets may be committed, given how far downstream has processed each symbol.
 *
 * A partition holds several symbols' records interleaved; its offset may move only past the longest prefix of
 * records that are done — a record is done once downstream has processed its symbol up to the record's candle time
 * ({@link OffsetTracker.processed}), or at once if it emitted nothing. "Processed up to a time" rather than "this
 * record": a re-delivered record (after a rebalance) is done as soon as the original was, and a lane that
 * checkpoints a later candle has necessarily processed the earlier ones of its symbol.
 */
export class OffsetTracker {
  private readonly partitions = new Map<number, PartitionQueue>();
  private readonly marks = new Map<string, number>();
  private tickets = 0;
  /** Dead-letter writes are acknowledged in ticket order: every ticket up to this one is written. */
  private deadLettered = 0;

  /** Records read and not yet behind a committable offset: the window the source bounds. */
  get pending(): number {
    let n = 0;
    for (const q of this.partitions.values()) n += q.entries.length - q.head;
    return n;
  }

  /** A record was read: a candle (symbol, time), or `null` for one that emits nothing. */
  track(partition: number, offset: string, candle: { symbol: string; timestamp: number } | null): void {
    const q = this.queue(partition);
    const at = BigInt(offset);
    const last = q.entries.length > 0 ? q.entries[q.entries.length - 1]!.offset : null;
    // Re-fetched from an earlier offset (rebalance, seek): those records will be tracked again as they arrive.
    if (last !== null && at <= last) {
      let keep = q.entries.length;
      while (keep > q.head && q.entries[keep - 1]!.offset >= at) keep--;
      q.entries.length = keep;
    }
    q.entries.push({ offset: at, symbol: candle?.symbol ?? null, timestamp: candle?.timestamp ?? 0 });
  }

  /** A ticket for a dead-letter write; see {@link trackUnusable}. */
  ticket(): number {
    return ++this.tickets;
  }

  /**
   * A record that emits nothing (unusable): done at once, or, with a `ticket`, once the dead-letter write of that
   * ticket is {@link written} (tickets are written in the order they were handed out).
   */
  trackUnusable(partition: number, offset: string, ticket = 0): void {
    this.track(partition, offset, null);
    const q = this.queue(partition);
    if (ticket > 0) q.entries[q.entries.length - 1] = { offset: BigInt(offset), symbol: null, timestamp: ticket };
  }

  /** The dead-letter write of `ticket` (and so of every earlier ticket) is acknowledged. */
  written(ticket: number): void {
    if (ticket > this.deadLettered) this.deadLettered = ticket;
  }

  /** Downstream has processed `symbol` up to and including the candle at `timestamp`. */
  processed(symbol: string, timestamp: number): void {
    const mark = this.marks.get(symbol);
    if (mark === undefined || timestamp > mark) this.marks.set(symbol, timestamp);
  }

  /**
   * The offsets to commit now (next offset to read, per partition): each partition's done prefix, where it is past
   * what the broker has confirmed. Offered again until {@link confirm}ed, so a commit that failed or was dropped
   * (kafkajs skips commits while its consumer restarts) is retried by the next call.
   */
  takeCommits(): Array<{ partition: number; offset: string }> {
    const out: Array<{ partition: number; offset: string }> = [];
    for (const [partition, q] of this.partitions) {
      while (q.head < q.entries.length && this.done(q.entries[q.head]!)) {
        const next = q.entries[q.head]!.offset + 1n;
        if (q.done === null || next > q.done) q.done = next;
        q.head++;
      }
      if (q.head > 256 && q.head * 2 > q.entries.length) {
        q.entries.splice(0, q.head);
        q.head = 0;
      }
      if (q.done !== null && (q.committed === null || q.done > q.committed)) out.push({ partition, offset: q.done.toString() });
    }
    return out;
  }

  /** The broker has these offsets committed. */
  confirm(offsets: ReadonlyArray<{ partition: number; offset: string }>): void {
    for (const { partition, offset } of offsets) {
      const q = this.partitions.get(partition);
      const at = BigInt(offset);
      if (q !== undefined && (q.committed === null || at > q.committed)) q.committed = at;
    }
  }

  /** After a rebalance: forget partitions this member no longer owns (their new owner re-reads them). */
  retain(assigned: ReadonlySet<number>): void {
    for (const p of [...this.partitions.keys()]) if (!assigned.has(p)) this.partitions.delete(p);
  }

  private done(e: Entry): boolean {
    if (e.symbol === null) return e.timestamp <= this.deadLettered;
    const mark = this.marks.get(e.symbol);
    return mark !== undefined && e.timestamp <= mark;
  }

  private queue(partition: number): PartitionQueue {
    let q = this.partitions.get(partition);
    if (!q) this.partitions.set(partition, (q = { entries: [], head: 0, done: null, committed: null }));
    return q;
  }
}
