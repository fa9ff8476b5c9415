import type { SignalEvent } from '../core/events.js';
import { NO_EVENTS, type Lane } from '../core/lane.js';
import type { CheckpointEntry, CheckpointStore } from '../store/types.js';
import type { LaneStage } from './stage.js';

export interface CheckpointCut {
  /** Put it last in `runLanes({ after })`: it runs before the step's events are released. */
  readonly stage: LaneStage;
  /** Write every lane seen so far as it stands now (a clean shutdown: the next start resumes exactly here). */
  cut(): void;
}

type CutStore = Pick<CheckpointStore, 'writeCheckpoint' | 'writeCheckpoints'>;

interface Seen {
  /** Open time of the lane's last candle that went through every stage. */
  processed: number;
  /** The events of the lane's last transition: re-delivered after a restart. */
  outbox: readonly SignalEvent[];
}

/**
 * Checkpoints like `checkpointStage` — after every transition, before its events go downstream — but writes *every*
 * lane that has run, in one transaction: a consistent cut of the whole run at that instant. After a crash each lane
 * resumes from the same point in the candle sequence, so lanes coupled by a portfolio-wide risk gate see each
 * other exactly as they did the first time, and no lane re-runs more than the candles since the last transition
 * anywhere. Each lane keeps the events of its own last transition as its outbox (re-delivered after a restart);
 * `outbox` gives the ones restored from the store, so rewriting an untouched lane does not drop them.
 *
 * A lane is written with the last candle that went through all its stages — not the lane's own `lastTimestamp`,
 * which already counts a step still queued behind an asynchronous strategy.
 *
 * @example
 * ```ts
 * const checkpoints = checkpointCut(store, { outbox: (strategy, symbol) => store.readCheckpoint(strategy, symbol)?.events });
 * bars$.pipe(runLanes(strategies, config, { after: [checkpoints.stage], restore: restoreFrom(store) }))
 * ```
 */
export function checkpointCut(
  store: CutStore,
  options: { readonly outbox?: (strategy: string, symbol: string) => readonly SignalEvent[] | undefined } = {},
): CheckpointCut {
  /** Lanes that have run in this process, in first-seen order. */
  const lanes = new Map<Lane, Seen>();

  const write = () => {
    const entries: CheckpointEntry[] = [];
    for (const [lane, seen] of lanes) {
      entries.push({
        strategy: lane.strategy,
        symbol: lane.symbol,
        checkpoint: { state: lane.state, lastTimestamp: seen.processed, events: seen.outbox },
      });
    }
    if (entries.length === 0) return;
    if (store.writeCheckpoints) store.writeCheckpoints(entries);
    else for (const e of entries) store.writeCheckpoint(e.strategy, e.symbol, e.checkpoint);
  };

  const stage: LaneStage = (step) => {
    const { lane } = step;
    let seen = lanes.get(lane);
    if (seen === undefined) {
      seen = { processed: step.bar.candle.timestamp, outbox: options.outbox?.(lane.strategy, lane.symbol) ?? NO_EVENTS };
      lanes.set(lane, seen);
    } else {
      seen.processed = step.bar.candle.timestamp;
    }
    if (!step.transitioned) return;
    seen.outbox = step.events;
    write();
  };

  return { stage, cut: write };
}
