import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { z } from 'zod';
import { LmdbCandleCache } from './candle-cache.js';
import type { Interval } from '../core/intervals.js';
import { Quarantine } from './quarantine.js';
import { IntervalRecordSchema, META_VERSION, intervalMismatch } from './store-meta.js';
import { laneState } from '../core/lane.js';
import { ACCOUNT_FORMAT, ACCOUNT_VERSION, AccountRecordSchema, type AccountRecord } from './records.js';
import type { EquitySnapshot } from '../core/equity.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointRecordSchema, PROGRESS_VERSION, ProgressRecordSchema, describeIssues, type LaneCheckpoint } from './records.js';
import { safeGet, safeRange, type RawRead } from './safe-read.js';
import { checkStoreFile } from './store-file-check.js';
import type { CandleCache, CheckpointEntry, CheckpointInput, CheckpointStore, LaneProgress, QuarantineReport, StoredCheckpoint } from './types.js';

export const StoreOptionsSchema = z.strictObject({
  /** Directory of the LMDB environment (created if missing). */
  path: z.string().min(1),
  /**
   * Skip the fsync at each commit. See {@link openStore} for what that trades away.
   * @default false
   */
  noSync: z.boolean().optional(),
  /** Told about every record moved to quarantine (an unreadable checkpoint, candle or range). */
  onQuarantine: z.custom<(report: QuarantineReport) => void>((f) => typeof f === 'function').optional(),
});

export type StoreOptions = z.input<typeof StoreOptionsSchema>;

/** tickflow's state on disk: lane checkpoints, the candle cache and the quarantine of unreadable records. */
export interface LmdbStore extends CheckpointStore {
  readonly path: string;
  readonly candles: CandleCache;
  writeCheckpoints(entries: readonly CheckpointEntry[], account?: EquitySnapshot): void;
  writeCut(entries: readonly CheckpointEntry[], progress: readonly LaneProgress[], account?: EquitySnapshot): void;
  readAccount(): EquitySnapshot | undefined;
  bindInterval(interval: Interval): void;
  /** Every record ever quarantined (reports also go to `onQuarantine` as they happen). */
  quarantined(): QuarantineReport[];
  /** Flush and close the environment; the store is unusable afterwards. */
  close(): Promise<void>;
}

class Store implements LmdbStore {
  readonly candles: CandleCache;
  private readonly checkpointDb: Database<unknown, Key>;
  private readonly progressDb: Database<unknown, Key>;
  private readonly metaDb: Database<unknown, Key>;
  private readonly quarantine: Quarantine;

  constructor(
    readonly path: string,
    private readonly root: RootDatabase<unknown, Key>,
    onQuarantine: (report: QuarantineReport) => void,
  ) {
    this.checkpointDb = root.openDB<unknown, Key>({ name: 'checkpoints' });
    this.progressDb = root.openDB<unknown, Key>({ name: 'progress' });
    this.metaDb = root.openDB<unknown, Key>({ name: 'meta' });
    this.quarantine = new Quarantine(root.openDB<unknown, Key>({ name: 'quarantine' }), onQuarantine);
    this.candles = new LmdbCandleCache(
      root.openDB<unknown, Key>({ name: 'candles' }),
      root.openDB<unknown, Key>({ name: 'ranges' }),
      this.quarantine,
    );
  }

  writeCheckpoint(strategy: string, symbol: string, input: CheckpointInput): void {
    this.writeCheckpoints([{ strategy, symbol, checkpoint: input }]);
  }

  writeCheckpoints(entries: readonly CheckpointEntry[], account?: EquitySnapshot): void {
    this.writeCut(entries, [], account);
  }

  writeCut(entries: readonly CheckpointEntry[], progress: readonly LaneProgress[], account?: EquitySnapshot): void {
    // Validated on the way in too: a state the schema cannot describe would be unreadable after a restart, and
    // finding that out now (loudly, before the events are released) beats finding it out after a crash.
    const records = entries.map(({ strategy, symbol, checkpoint }) => {
      const parsed = CheckpointRecordSchema.safeParse({ version: CHECKPOINT_VERSION, ...checkpoint });
      if (!parsed.success) {
        throw new Error(`checkpoint of strategy '${strategy}' on ${symbol}: not storable: ${describeIssues(parsed.error)}`);
      }
      return { key: [strategy, symbol] as Key, record: parsed.data };
    });
    // Three numbers per lane: checked by hand, the whole point of progress is not to pay for a schema per lane.
    for (const p of progress) {
      if (!Number.isSafeInteger(p.lastTimestamp) || !(p.lastAskedAt === null || Number.isSafeInteger(p.lastAskedAt))) {
        throw new Error(`progress of strategy '${p.strategy}' on ${p.symbol}: not storable: expected integer instants, got ${p.lastTimestamp}, ${p.lastAskedAt}`);
      }
    }
    let accountRecord: AccountRecord | undefined;
    if (account !== undefined) {
      const parsed = AccountRecordSchema.safeParse({ version: ACCOUNT_VERSION, account });
      if (!parsed.success) throw new Error(`the run's account: not storable: ${describeIssues(parsed.error)}`);
      accountRecord = parsed.data;
    }
    this.checkpointDb.transactionSync(() => {
      if (accountRecord !== undefined) this.metaDb.putSync('account', accountRecord);
      for (const { key, record } of records) {
        this.checkpointDb.putSync(key, record);
        // The new checkpoint already holds how far the lane got: older progress must not be applied to it.
        this.progressDb.removeSync(key);
      }
      for (const p of progress) this.progressDb.putSync([p.strategy, p.symbol], [PROGRESS_VERSION, p.lastTimestamp, p.lastAskedAt]);
    });
  }

  readCheckpoint(strategy: string, symbol: string): LaneCheckpoint | undefined {
    const key: Key = [strategy, symbol];
    const read = safeGet(this.checkpointDb, key);
    return read === undefined ? undefined : this.accept(key, read);
  }

  checkpoints(): StoredCheckpoint[] {
    const out: StoredCheckpoint[] = [];
    for (const { key, read } of safeRange(this.checkpointDb)) {
      const checkpoint = this.accept(key, read);
      const [strategy, symbol] = key as [string, string];
      if (checkpoint !== undefined) out.push({ strategy, symbol, checkpoint });
    }
    return out;
  }

  readAccount(): EquitySnapshot | undefined {
    const read = safeGet(this.metaDb, 'account');
    if (read === undefined) return undefined;
    const format = read.ok ? ACCOUNT_FORMAT.read(read.value) : undefined;
    if (format?.ok) return format.value.account;
    const reason = format === undefined ? (read as { reason: string }).reason : (format as { reason: string }).reason;
    this.quarantine.move(this.metaDb, 'meta', 'account', read.ok ? read.value : read.raw, `the run's account: ${reason}`);
    return undefined;
  }

  bindInterval(interval: Interval): void {
    const read = safeGet(this.metaDb, 'interval');
    if (read !== undefined) {
      const parsed = read.ok ? IntervalRecordSchema.safeParse(read.value) : undefined;
      if (parsed?.success) {
        if (parsed.data.interval !== interval) throw intervalMismatch(this.path, parsed.data.interval, interval);
        return;
      }
      const reason = parsed === undefined ? (read as { reason: string }).reason : describeIssues(parsed.error);
      this.quarantine.move(this.metaDb, 'meta', 'interval', read.ok ? read.value : read.raw, `the store's interval record: ${reason}`);
    }
    this.metaDb.putSync('interval', { version: META_VERSION, interval });
  }

  quarantined(): QuarantineReport[] {
    return this.quarantine.list();
  }

  close(): Promise<void> {
    return this.root.close();
  }

  private accept(key: Key, read: RawRead): LaneCheckpoint | undefined {
    const [strategy, symbol] = Array.isArray(key) ? key : [String(key), '?'];
    const where = `checkpoint of strategy '${String(strategy)}' on ${String(symbol)}`;
    if (!read.ok) {
      this.quarantine.move(this.checkpointDb, 'checkpoints', key, read.raw, `${where}: ${read.reason}`);
      return undefined;
    }
    const format = CHECKPOINT_FORMAT.read(read.value);
    if (!format.ok) {
      this.quarantine.move(this.checkpointDb, 'checkpoints', key, read.value, `${where}: ${format.reason}`);
      return undefined;
    }
    return this.withProgress(key, where, format.value);
  }

  /** The checkpoint with the lane's later progress applied; unreadable progress is quarantined (the lane re-runs from its checkpoint). */
  private withProgress(key: Key, where: string, checkpoint: LaneCheckpoint): LaneCheckpoint {
    const read = safeGet(this.progressDb, key);
    if (read === undefined) return checkpoint;
    const parsed = read.ok ? ProgressRecordSchema.safeParse(read.value) : undefined;
    if (parsed === undefined || !parsed.success) {
      const reason = parsed === undefined ? (read as { reason: string }).reason : describeIssues(parsed.error);
      this.quarantine.move(this.progressDb, 'progress', key, read.ok ? read.value : read.raw, `progress of ${where}: ${reason}`);
      return checkpoint;
    }
    const [, lastTimestamp, lastAskedAt] = parsed.data;
    if (lastTimestamp < checkpoint.lastTimestamp) return checkpoint;
    const { state } = checkpoint;
    return { ...checkpoint, lastTimestamp, state: laneState(state.signal, state.partials, lastAskedAt, state.managed ?? null) };
  }
}

/**
 * Opens (creating if needed) tickflow's LMDB store at `path`: lane checkpoints keyed by (strategy, symbol), the
 * candle cache (symbol × interval × timestamp, with fetched ranges) and a quarantine database. Every record is
 * validated with zod when read; one that fails is moved to the quarantine with its key, raw value and the reason,
 * reported to `onQuarantine`, and treated as absent — never deleted, never thrown at the caller.
 *
 * **Durability.** By default every write is one synchronous transaction that returns only after LMDB committed
 * *and* fsynced it (lmdb's overlapping sync is turned off for that), so a checkpoint that returned survives a
 * process crash, a kernel panic and a power cut. That costs an fsync per lane transition — typically 0.1–10 ms
 * depending on the disk. `noSync: true` skips the fsync: commits become memory writes the OS flushes when it
 * likes. A killed *process* still loses nothing (the data is in the OS page cache), but an OS crash or power loss
 * can lose the last commits — on restart lanes resume from an older checkpoint and re-run, re-emitting events
 * (same `eventId`s) that downstream may already have acted on — and, on file systems that reorder writes, can
 * corrupt the environment. Use it for backtests and benchmarks, not for a node holding real positions.
 *
 * A store is an explicit value: open one per directory and pass it where it is needed; close it when done.
 *
 * @example
 * ```ts
 * import { openStore } from 'tickflow/lmdb';
 *
 * const store = openStore({ path: './state', onQuarantine: (q) => console.error(q.reason) });
 * backtest({ source, strategies, store }).subscribe(console.log);
 * // … later
 * await store.close();
 * ```
 */
export function openStore(options: StoreOptions): LmdbStore {
  const parsed = StoreOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`openStore: ${describeIssues(parsed.error)}`);
  const { path, noSync = false, onQuarantine = () => undefined } = parsed.data;
  checkStoreFile(path);
  const root = open<unknown, Key>({
    path,
    maxDbs: 8,
    noSync,
    overlappingSync: false,
  });
  return new Store(path, root, onQuarantine);
}
