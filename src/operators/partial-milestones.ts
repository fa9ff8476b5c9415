import type { OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { partialEvent } from '../core/events.js';
import { addEvent, laneState, type LaneStep } from '../core/lane.js';
import type { Signal } from '../core/signal.js';
import { lossProgress, newLevels, profitProgress, reachesNextLevel } from '../core/lifecycle.js';
import { runStages, transition, type LaneStage } from '../engine/stage.js';

/**
 * The stage behind {@link partialMilestones}. `levels`, when given, runs right after it for a signal with a trailing
 * stop or breakeven (the lane engine's `managePosition` of a strategy without `manage`): fused here, a plain signal
 * pays no stage of its own for them.
 */
export function partialMilestonesStage(config: Pick<Config, 'partialLevels'>, levelsStage?: LaneStage): LaneStage {
  const levels = [...config.partialLevels].sort((a, b) => a - b);
  return (step) => {
    const { lane, bar } = step;
    const state = lane.state;
    const signal = state.signal;
    const price = bar.price;
    if (signal === null || signal.pendingAt === null || price === null || step.final) return;
    if (bar.candle.timestamp < signal.pendingAt) return;
    const { partials } = state;
    // One comparison per side on most candles; the transition is out of line so this check stays small.
    if (reachesNextLevel(signal, bar, levels, partials.profit, partials.loss)) reachLevels(step, signal, levels);
    if (levelsStage !== undefined && (signal.trailingStop !== undefined || signal.breakeven !== undefined)) levelsStage(step);
  };
}

function reachLevels(step: LaneStep, signal: Signal, levels: readonly number[]): void {
  const { lane, bar } = step;
  const price = bar.price!;
  const { partials, lastAskedAt, managed } = lane.state;
  const profit = newLevels(profitProgress(signal, price), levels, partials.profit);
  const loss = newLevels(lossProgress(signal, price), levels, partials.loss);
  transition(step, laneState(signal, { profit: withLevels(partials.profit, profit), loss: withLevels(partials.loss, loss) }, lastAskedAt, managed ?? null));
  for (let i = 0; i < profit.length; i++) addEvent(step, partialEvent(lane, signal, bar.now, 'profit', profit[i]!, price));
  for (let i = 0; i < loss.length; i++) addEvent(step, partialEvent(lane, signal, bar.now, 'loss', loss[i]!, price));
}

/** The levels reached so far plus the new ones; the same (immutable) list when there are none. */
function withLevels(reached: readonly number[], added: readonly number[]): readonly number[] {
  if (added.length === 0) return reached;
  // A copy by hand, of the exact size: spread and concat took the generic (slow) path here, measured at ~40 % of a
  // milestone's cost, and push grows an array by 16 spare slots.
  const out = new Array<number>(reached.length + added.length);
  for (let i = 0; i < reached.length; i++) out[i] = reached[i]!;
  for (let i = 0; i < added.length; i++) out[reached.length + i] = added[i]!;
  return out;
}

/**
 * Partial profit / loss milestones of the open signal (SEMANTICS §6): each configured level of progress toward
 * take-profit or stop-loss emits one event the first time it is crossed, ascending when a move jumps several.
 *
 * @example
 * ```ts
 * steps$.pipe(partialMilestones({ partialLevels: [25, 50, 75] }))
 * ```
 */
export function partialMilestones(config: Pick<Config, 'partialLevels'>): OperatorFunction<LaneStep, LaneStep> {
  return runStages(partialMilestonesStage(config));
}
