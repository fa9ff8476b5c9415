import { defer, from, type Observable, type OperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import type { LaneStep } from '../core/lane.js';
import type { CheckpointStore } from '../store/types.js';
import { checkpointDue } from './checkpoint-due.js';
import type { RestoredLane } from '../engine/lane-book.js';
import { runStages, type LaneStage } from '../engine/stage.js';

/**
 * The stage behind {@link checkpoint}: when the step made a transition (or the risk gate rejected a proposal), write the lane's new state, the candle
 * that made it and the events it produced, in one synchronous transaction. It runs before the step's events are
 * released (put it last in `runLanes({ after })`), so nothing downstream ever sees an event whose state could be
 * lost. A failed write throws: the run stops with that error rather than release events it could not secure.
 *
 * @example
 * ```ts
 * bars$.pipe(runLanes(strategies, config, { after: [checkpointStage(store)], restore: restoreFrom(store) }))
 * ```
 */
export function checkpointStage(store: Pick<CheckpointStore, 'writeCheckpoint'>): LaneStage {
  return (step) => {
    if (!checkpointDue(step)) return;
    const { lane } = step;
    store.writeCheckpoint(lane.strategy, lane.symbol, {
      state: lane.state,
      lastTimestamp: lane.lastTimestamp,
      events: step.events,
    });
  };
}

/**
 * Checkpoints each lane after every transition (SEMANTICS §11) — scheduled, opened, closed, cancelled, a new
 * partial level — before the step goes on downstream. Steps without a transition pass untouched (no write).
 *
 * @example
 * ```ts
 * bars$.pipe(
 *   openLane({ strategy: 'sma', restore: (symbol) => restoreFrom(store)('sma', symbol) }),
 *   activateScheduled(config), monitorSignal(config), partialMilestones(config),
 *   askStrategy(sma, config), enterSignal(),
 *   checkpoint(store),
 *   laneEvents(),
 * )
 * ```
 */
export function checkpoint(store: Pick<CheckpointStore, 'writeCheckpoint'>): OperatorFunction<LaneStep, LaneStep> {
  return runStages(checkpointStage(store));
}

/**
 * The `restore(strategy, symbol)` that `runLanes` and `backtest` take, reading each lane's checkpoint from the
 * store (read when the lane sees its first candle). A lane without a (readable) checkpoint starts idle and processes every candle.
 *
 * @example
 * ```ts
 * bars$.pipe(runLanes(strategies, config, { after: [checkpointStage(store)], restore: restoreFrom(store) }))
 * ```
 */
export function restoreFrom(
  store: Pick<CheckpointStore, 'readCheckpoint'>,
): (strategy: string, symbol: string) => RestoredLane | undefined {
  return (strategy, symbol) => {
    const cp = store.readCheckpoint(strategy, symbol);
    return cp === undefined ? undefined : { state: cp.state, lastTimestamp: cp.lastTimestamp };
  };
}

/**
 * The events each lane's last checkpoint released, for the given strategies (all when omitted), in key order. A
 * restarted run emits them again first: if the previous run died after a checkpoint committed but before its
 * events reached their consumer, this is how they still arrive (at least once, with their original `eventId`s).
 *
 * @example
 * ```ts
 * concat(redeliver(store, ['sma']), bars$.pipe(runLanes([sma], config, { restore: restoreFrom(store), after })))
 * ```
 */
export function redeliver(store: Pick<CheckpointStore, 'checkpoints'>, strategies?: readonly string[]): Observable<SignalEvent> {
  return defer(() => {
    const wanted = strategies && new Set(strategies);
    const events: SignalEvent[] = [];
    for (const { strategy, checkpoint } of store.checkpoints()) {
      if (wanted === undefined || wanted.has(strategy)) events.push(...checkpoint.events);
    }
    return from(events);
  });
}
