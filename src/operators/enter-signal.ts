import type { OperatorFunction } from 'rxjs';
import { signalEvent } from '../core/events.js';
import { NO_PARTIALS, laneState, type LaneStep, addEvent } from '../core/lane.js';
import { runStages, transition, type LaneStage } from '../engine/stage.js';

/** The stage behind {@link enterSignal}. */
export const enterSignalStage: LaneStage = (step) => {
  const proposal = step.proposal;
  if (proposal === null) return;
  step.proposal = null;
  const { lane, bar } = step;
  transition(step, laneState(proposal.signal, NO_PARTIALS, lane.state.lastAskedAt));
  addEvent(step, signalEvent(proposal.entry === 'market' ? 'opened' : 'scheduled', lane, proposal.signal, bar.now));
};

/**
 * Enters the proposal the strategy (and the risk gate) let through: a market entry is `opened` at the current price
 * now, a limit entry not yet reached is `scheduled` (SEMANTICS §3.2).
 *
 * @example
 * ```ts
 * steps$.pipe(askStrategy(strategy, config), enterSignal())
 * ```
 */
export function enterSignal(): OperatorFunction<LaneStep, LaneStep> {
  return runStages(enterSignalStage);
}
