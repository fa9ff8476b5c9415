import type { OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { cancelledEvent, signalEvent } from '../core/events.js';
import { addEvent, laneState, type LaneStep } from '../core/lane.js';
import { stepScheduledAt } from '../core/lifecycle.js';
import { openedSignal, type Signal } from '../core/signal.js';
import { runStages, transition, type LaneStage, type Resume } from '../engine/stage.js';
import { settleVerdict, type Verdict } from './verdict.js';

/**
 * Asked when a scheduled signal's priceOpen is reached, before it opens (the risk gate, SEMANTICS §5): null lets it
 * open, a reason (now or via a pending verdict) cancels it with reason `risk`. It may add its own events to the step.
 */
export type ActivationCheck = (step: LaneStep, signal: Signal) => Verdict;

export interface ActivateScheduledOptions {
  /** Judges each activation; without one, a reached priceOpen always opens. */
  readonly activation?: ActivationCheck;
}

function open(step: LaneStep, signal: Signal): void {
  const { lane, bar } = step;
  const opened = openedSignal(signal, bar.now);
  transition(step, laneState(opened, lane.state.partials, lane.state.lastAskedAt));
  addEvent(step, signalEvent('opened', lane, opened, bar.now));
}

/** The stage behind {@link activateScheduled}. */
export function activateScheduledStage(
  config: Pick<Config, 'scheduleAwaitMinutes'>,
  options: ActivateScheduledOptions = {},
): LaneStage {
  const check = options.activation;
  const settle = (step: LaneStep, signal: Signal): void | Resume => {
    const { lane, bar } = step;
    if (step.final) {
      transition(step, laneState(null, lane.state.partials, lane.state.lastAskedAt));
      addEvent(step, cancelledEvent(lane, signal, bar.now, 'timeout'));
      return;
    }
    const outcome = stepScheduledAt(signal, bar, config);
    if (outcome === null) return;
    if (outcome.kind === 'open') {
      if (check === undefined) {
        open(step, signal);
        return;
      }
      return settleVerdict(
        check(step, signal),
        () => {
          transition(step, laneState(null, lane.state.partials, lane.state.lastAskedAt));
          addEvent(step, cancelledEvent(lane, signal, bar.now, 'risk'));
        },
        () => open(step, signal),
      );
    } else {
      transition(step, laneState(null, lane.state.partials, lane.state.lastAskedAt));
      addEvent(step, cancelledEvent(lane, signal, bar.now, outcome.reason));
    }
  };

  // Only a scheduled signal has anything to do here: the check stays small enough to inline into the lane's loop.
  return (step) => {
    const signal = step.lane.state.signal;
    if (signal === null || signal.pendingAt !== null) return;
    return settle(step, signal);
  };
}

/**
 * Resting limit orders (SEMANTICS §4.1): a scheduled signal opens at its priceOpen when a candle reaches it, is
 * cancelled when the same or an earlier candle touched its stop-loss first, and times out `scheduleAwaitMinutes`
 * after it was scheduled. With an `activation` check (the risk gate) a rejected activation is cancelled (reason `risk`).
 *
 * @example
 * ```ts
 * steps$.pipe(activateScheduled({ scheduleAwaitMinutes: 120 }))
 * ```
 */
export function activateScheduled(
  config: Pick<Config, 'scheduleAwaitMinutes'>,
  options: ActivateScheduledOptions = {},
): OperatorFunction<LaneStep, LaneStep> {
  return runStages(activateScheduledStage(config, options));
}
