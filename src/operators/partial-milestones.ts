import type { OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { partialEvent } from '../core/events.js';
import { addEvent, laneState, type LaneStep } from '../core/lane.js';
import { lossProgress, newLevels, nextLevelReached, profitProgress } from '../core/lifecycle.js';
import { runStages, transition, type LaneStage } from './stage.js';

/** The stage behind {@link partialMilestones}. */
export function partialMilestonesStage(config: Pick<Config, 'partialLevels'>): LaneStage {
  const levels = [...config.partialLevels].sort((a, b) => a - b);
  return (step) => {
    const { lane, bar } = step;
    const signal = lane.state.signal;
    if (signal === null || signal.pendingAt === null || bar.price === null || step.final) return;
    if (bar.candle.timestamp < signal.pendingAt) return;
    const { partials } = lane.state;
    const toProfit = profitProgress(signal, bar.price);
    const toLoss = lossProgress(signal, bar.price);
    if (!nextLevelReached(toProfit, levels, partials.profit) && !nextLevelReached(toLoss, levels, partials.loss)) return;
    const profit = newLevels(toProfit, levels, partials.profit);
    const loss = newLevels(toLoss, levels, partials.loss);
    transition(
      step,
      laneState(signal, { profit: [...partials.profit, ...profit], loss: [...partials.loss, ...loss] }, lane.state.lastAskedAt),
    );
    for (const level of profit) addEvent(step, partialEvent(lane, signal, bar.now, 'profit', level, bar.price));
    for (const level of loss) addEvent(step, partialEvent(lane, signal, bar.now, 'loss', level, bar.price));
  };
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
