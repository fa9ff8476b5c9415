import type { Candle } from '../core/candle.js';
import type { SignalEvent } from '../core/events.js';
import type { Interval } from '../core/intervals.js';
import type { LaneState } from '../core/lane.js';
import type { LaneCheckpoint } from './records.js';
import type { EquitySnapshot } from '../core/equity.js';
import type { TimeRange } from './ranges.js';

/*
 * The store as the rest of tickflow sees it: plain interfaces, so operators and pipelines can take a store without
 * importing lmdb (a plain backtest never loads it). `openStore` in `tickflow/lmdb` is the implementation.
 */

/** A record the store could not read, moved to the quarantine database instead of being used or deleted. */
export interface QuarantineReport {
  /** The database it came from: `checkpoints`, `candles`, `ranges`. */
  readonly db: string;
  readonly key: unknown;
  /** The decoded value, or the raw bytes when they could not be decoded. */
  readonly raw: unknown;
  readonly reason: string;
  /** Wall-clock time of the quarantine. */
  readonly at: number;
}

/** What a checkpoint write records: the lane's state, the candle that produced it and the events it released. */
export interface CheckpointInput {
  readonly state: LaneState;
  readonly lastTimestamp: number;
  readonly events: readonly SignalEvent[];
}

/** One lane's checkpoint in a {@link CheckpointStore.writeCheckpoints} batch. */
export interface CheckpointEntry {
  readonly strategy: string;
  readonly symbol: string;
  readonly checkpoint: CheckpointInput;
}

/**
 * How far a lane got since its checkpoint was last written, when nothing else about it changed: the open time of
 * the last candle it processed and its throttle position. Much cheaper to write than the whole checkpoint.
 */
export interface LaneProgress {
  readonly strategy: string;
  readonly symbol: string;
  readonly lastTimestamp: number;
  readonly lastAskedAt: number | null;
}

export interface StoredCheckpoint {
  readonly strategy: string;
  readonly symbol: string;
  readonly checkpoint: LaneCheckpoint;
}

/** Lane checkpoints keyed by (strategy, symbol). */
export interface CheckpointStore {
  /** Durably (unless the store was opened with `noSync`) replace the lane's checkpoint; returns once committed. */
  writeCheckpoint(strategy: string, symbol: string, checkpoint: CheckpointInput): void;
  /**
   * Several lanes' checkpoints in one transaction: a consistent cut across lanes (what a portfolio-wide risk gate
   * needs to resume exactly), for the cost of one commit. Optional: a store without it gets one write per lane.
   */
  writeCheckpoints?(entries: readonly CheckpointEntry[], account?: EquitySnapshot): void;
  /**
   * A consistent cut in one transaction: `entries` written whole, and for the lanes in `progress` only how far they
   * got (their last whole checkpoint stays; reads give it with this progress applied). Optional: without it a cut
   * writes every lane whole.
   */
  writeCut?(entries: readonly CheckpointEntry[], progress: readonly LaneProgress[], account?: EquitySnapshot): void;
  /**
   * The run's account as of the last cut that carried one (SEMANTICS §12); undefined when none was written or it was
   * unreadable (then quarantined). Optional: a store without it keeps no account, and a resumed run starts a fresh one.
   */
  readAccount?(): EquitySnapshot | undefined;
  /** The lane's checkpoint; undefined when there is none or it was unreadable (then it is quarantined). */
  readCheckpoint(strategy: string, symbol: string): LaneCheckpoint | undefined;
  /** Every readable checkpoint, in key order (unreadable ones are quarantined on the way). */
  checkpoints(): StoredCheckpoint[];
  /**
   * The base candle interval of the lanes checkpointed here: recorded on first use; a later use with another
   * interval throws (the lanes would resume on candles they never saw). Optional: a store without it checks nothing.
   */
  bindInterval?(interval: Interval): void;
}

/** Closed candles by symbol × interval × open time, and which time ranges have been fetched. */
export interface CandleCache {
  /**
   * Store candles and mark `[covered.from, covered.to)` as fetched (gaps inside it are real: no trades), in one
   * transaction. Candles already stored are overwritten.
   */
  putCandles(symbol: string, interval: Interval, candles: readonly Candle[], covered?: TimeRange): void;
  /**
   * Cached candles with `from ≤ timestamp < to`, oldest first, read in chunks so memory stays flat. An unreadable
   * record is quarantined, its slot is marked as not fetched, and `onInvalid` is told its timestamp before any
   * later candle is yielded.
   */
  readCandles(
    symbol: string,
    interval: Interval,
    from: number,
    to: number,
    onInvalid?: (timestamp: number) => void,
  ): Iterable<Candle>;
  /** The fetched ranges of `[from, to)` (sorted, merged). */
  coveredRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[];
  /** The parts of `[from, to)` never fetched. */
  missingRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[];
}
