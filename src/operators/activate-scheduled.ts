import type { OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { cancelledEvent, signalEvent } from '../core/events.js';
import { addEvent, type LaneStep } from '../core/lane.js';
import { stepScheduled } from '../core/lifecycle.js';
import { runStages, transition, type LaneStage } from './stage.js';

/** The stage behind {@link activateScheduled}. */
export function activateScheduledStage(config: Pick<Config, 'scheduleAwaitMinutes'>): LaneStage {
  return (step) => {
    const { lane, bar } = step;
    const signal = lane.state.signal;
    if (signal === null || signal.pendingAt !== null) return;
    if (step.final) {
      transition(step, { ...lane.state, signal: null });
      addEvent(step, cancelledEvent(lane, signal, bar.now, 'timeout'));
      return;
    }
    const outcome = stepScheduled(signal, bar.candle, bar.now, config);
    if (outcome === null) return;
    if (outcome.kind === 'open') {
      const opened = { ...signal, pendingAt: bar.now };
      transition(step, { ...lane.state, signal: opened });
      addEvent(step, signalEvent('opened', lane, opened, bar.now));
    } else {
      transition(step, { ...lane.state, signal: null });
      addEvent(step, cancelledEvent(lane, signal, bar.now, outcome.reason));
    }
  };
}

/**
 * Resting limit orders (SEMANTICS §4.1): a scheduled signal opens at its priceOpen when a candle reaches it, is
 * cancelled when the same or an earlier candle touched its stop-loss first, and times out `scheduleAwaitMinutes`
 * after it was scheduled.
 *
 * @example
 * ```ts
 * steps$.pipe(activateScheduled({ scheduleAwaitMinutes: 120 }))
 * ```
 */
export function activateScheduled(config: Pick<Config, 'scheduleAwaitMinutes'>): OperatorFunction<LaneStep, LaneStep> {
  return runStages(activateScheduledStage(config));
}
