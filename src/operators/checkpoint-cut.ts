import type { SignalEvent } from '../core/events.js';
import type { EquitySnapshot } from '../core/equity.js';
import { laneState, NO_EVENTS, type Lane, type LaneState, type LaneStep } from '../core/lane.js';
import type { CheckpointEntry, CheckpointStore, LaneProgress } from '../store/types.js';
import { checkpointDue } from './checkpoint-due.js';
import type { LaneStage } from '../engine/stage.js';

export interface CheckpointCut {
  /** Put it last in `runLanes({ after })`: it runs before the step's events are released. */
  readonly stage: LaneStage;
  /** Write every lane seen so far as it stands now (a clean shutdown: the next start resumes exactly here). */
  cut(): void;
  /** Pass it as `runLanes({ waiting })` with independent (live) lanes: see below. */
  readonly waiting: (step: LaneStep) => void;
}

type CutStore = Pick<CheckpointStore, 'writeCheckpoint' | 'writeCheckpoints' | 'writeCut'>;

interface Seen {
  /** Open time of the lane's last candle that went through every stage. */
  processed: number;
  /** The events of the lane's last transition: re-delivered after a restart. */
  outbox: readonly SignalEvent[];
  /** What this cut last wrote of the lane; `written` false until the first write by this process. */
  written: boolean;
  wroteSignal: LaneState['signal'];
  wrotePartials: LaneState['partials'] | null;
  wroteOutbox: readonly SignalEvent[];
  wroteProcessed: number;
  wroteAskedAt: number | null;
  /**
   * While the lane's step waits on an asynchronous answer: its state as far as the step went (the throttle
   * position before it), and the step's events so far. Null otherwise.
   */
  midState: LaneState | null;
  midOutbox: readonly SignalEvent[];
}

/** Whether what the lane keeps, beyond how far it got and its throttle position, differs from what was written. */
function changed(state: LaneState, seen: Seen): boolean {
  return !seen.written || seen.outbox !== seen.wroteOutbox || state.signal !== seen.wroteSignal || state.partials !== seen.wrotePartials;
}

/**
 * Checkpoints like `checkpointStage` — after every transition (or risk rejection), before its events go
 * downstream — as a consistent cut of the whole run at that instant, in one transaction: every lane that has run
 * is recorded as it stands, so after a crash each lane resumes from the same point in the candle sequence, lanes
 * coupled by a portfolio-wide risk gate see each other exactly as they did the first time, and no lane re-runs
 * more than the candles since the last transition anywhere.
 *
 * Only lanes whose state or outbox changed since the cut last wrote them are written whole (and validated); for
 * the others the store records just how far they got (`writeCut`), which costs a fraction of a whole checkpoint.
 * A store without `writeCut` gets every lane whole. Each lane keeps the events of its own last transition as its
 * outbox (re-delivered after a restart); `outbox` gives the ones restored from the store, so a lane written again
 * before its own next transition does not drop them.
 *
 * A lane is written with the last candle that went through all its stages — not the lane's own `lastTimestamp`,
 * which already counts a step still queued behind an asynchronous strategy. With independent (live) lanes other
 * lanes go on while one waits mid-step, and what that step already did (a close, its settlement in the account)
 * is in the state and account a cut writes: such a lane is written as far as its step went, with the step's
 * events so far as its outbox and its throttle position from before the step, so after a crash those events are
 * re-delivered and the candle runs again from there (asking the strategy again) — nothing lost, nothing settled
 * twice. That needs `waiting` passed to the lanes.
 *
 * @example
 * ```ts
 * const checkpoints = checkpointCut(store, { outbox: (strategy, symbol) => store.readCheckpoint(strategy, symbol)?.events });
 * bars$.pipe(runLanes(strategies, config, { after: [checkpoints.stage], restore: restoreFrom(store) }))
 * ```
 */
export function checkpointCut(
  store: CutStore,
  options: {
    readonly outbox?: (strategy: string, symbol: string) => readonly SignalEvent[] | undefined;
    /** The run's account as it stands, written in every cut's transaction (SEMANTICS §12: cash and stakes survive a crash). */
    readonly account?: () => EquitySnapshot;
  } = {},
): CheckpointCut {
  /** Lanes that have run in this process, in first-seen order. */
  const lanes = new Map<Lane, Seen>();

  const write = () => {
    const entries: CheckpointEntry[] = [];
    const progress: LaneProgress[] = [];
    for (const [lane, seen] of lanes) {
      if (seen.midState !== null) {
        entries.push({ strategy: lane.strategy, symbol: lane.symbol, checkpoint: { state: seen.midState, lastTimestamp: seen.processed, events: seen.midOutbox } });
        continue;
      }
      const { state } = lane;
      if (store.writeCut === undefined || changed(state, seen)) {
        entries.push({ strategy: lane.strategy, symbol: lane.symbol, checkpoint: { state, lastTimestamp: seen.processed, events: seen.outbox } });
      } else if (seen.wroteProcessed !== seen.processed || seen.wroteAskedAt !== state.lastAskedAt) {
        progress.push({ strategy: lane.strategy, symbol: lane.symbol, lastTimestamp: seen.processed, lastAskedAt: state.lastAskedAt });
      }
    }
    if (entries.length === 0 && progress.length === 0) return;
    const account = options.account?.();
    if (store.writeCut) store.writeCut(entries, progress, account);
    else if (store.writeCheckpoints) store.writeCheckpoints(entries, account);
    else for (const e of entries) store.writeCheckpoint(e.strategy, e.symbol, e.checkpoint);
    // Only once committed: after a failed write every lane stays due as before.
    for (const [lane, seen] of lanes) {
      if (seen.midState !== null) {
        // What the step ends with differs from what was written: the lane's next cut writes it whole.
        seen.written = false;
        continue;
      }
      const { state } = lane;
      if (!seen.written || changed(state, seen)) {
        seen.written = true;
        seen.wroteSignal = state.signal;
        seen.wrotePartials = state.partials;
        seen.wroteOutbox = seen.outbox;
      }
      seen.wroteProcessed = seen.processed;
      seen.wroteAskedAt = state.lastAskedAt;
    }
  };

  const seenOf = (lane: Lane, processed: number): Seen => {
    const seen: Seen = {
      processed,
      outbox: options.outbox?.(lane.strategy, lane.symbol) ?? NO_EVENTS,
      written: false,
      wroteSignal: null,
      wrotePartials: null,
      wroteOutbox: NO_EVENTS,
      wroteProcessed: Number.NaN,
      wroteAskedAt: null,
      midState: null,
      midOutbox: NO_EVENTS,
    };
    lanes.set(lane, seen);
    return seen;
  };

  const stage: LaneStage = (step) => {
    const { lane } = step;
    let seen = lanes.get(lane);
    if (seen === undefined) {
      seen = seenOf(lane, step.bar.candle.timestamp);
    } else {
      seen.processed = step.bar.candle.timestamp;
      seen.midState = null;
    }
    if (!checkpointDue(step)) return;
    seen.outbox = step.events;
    write();
  };

  const waiting = (step: LaneStep): void => {
    const { lane, bar } = step;
    // A lane's first step in this process: it had processed up to the slot before this candle.
    const seen = lanes.get(lane) ?? seenOf(lane, 2 * bar.candle.timestamp - bar.now);
    const { signal, partials, lastAskedAt } = lane.state;
    // Asked at this candle already (the wait may be that ask): the candle run again must ask again.
    seen.midState = laneState(signal, partials, lastAskedAt === bar.now ? null : lastAskedAt);
    seen.midOutbox = step.events === NO_EVENTS ? seen.outbox : [...step.events];
  };

  return { stage, cut: write, waiting };
}
