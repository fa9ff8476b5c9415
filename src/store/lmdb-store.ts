import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { z } from 'zod';
import { LmdbCandleCache } from './candle-cache.js';
import { Quarantine } from './quarantine.js';
import { CHECKPOINT_VERSION, CheckpointRecordSchema, describeIssues, type LaneCheckpoint } from './records.js';
import { safeGet, safeRange, type RawRead } from './safe-read.js';
import { checkStoreFile } from './store-file-check.js';
import type { CandleCache, CheckpointEntry, CheckpointInput, CheckpointStore, QuarantineReport, StoredCheckpoint } from './types.js';

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
  /** Every record ever quarantined (reports also go to `onQuarantine` as they happen). */
  quarantined(): QuarantineReport[];
  /** Flush and close the environment; the store is unusable afterwards. */
  close(): Promise<void>;
}

class Store implements LmdbStore {
  readonly candles: CandleCache;
  private readonly checkpointDb: Database<unknown, Key>;
  private readonly quarantine: Quarantine;

  constructor(
    readonly path: string,
    private readonly root: RootDatabase<unknown, Key>,
    onQuarantine: (report: QuarantineReport) => void,
  ) {
    this.checkpointDb = root.openDB<unknown, Key>({ name: 'checkpoints' });
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

  writeCheckpoints(entries: readonly CheckpointEntry[]): void {
    // Validated on the way in too: a state the schema cannot describe would be unreadable after a restart, and
    // finding that out now (loudly, before the events are released) beats finding it out after a crash.
    const records = entries.map(({ strategy, symbol, checkpoint }) => {
      const parsed = CheckpointRecordSchema.safeParse({ version: CHECKPOINT_VERSION, ...checkpoint });
      if (!parsed.success) {
        throw new Error(`checkpoint of strategy '${strategy}' on ${symbol}: not storable: ${describeIssues(parsed.error)}`);
      }
      return { key: [strategy, symbol] as Key, record: parsed.data };
    });
    this.checkpointDb.transactionSync(() => {
      for (const { key, record } of records) this.checkpointDb.putSync(key, record);
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
    const parsed = CheckpointRecordSchema.safeParse(read.value);
    if (parsed.success) return parsed.data;
    this.quarantine.move(this.checkpointDb, 'checkpoints', key, read.value, `${where}: ${describeIssues(parsed.error)}`);
    return undefined;
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
