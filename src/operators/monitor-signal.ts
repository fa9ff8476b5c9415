import type { OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { closedEvent } from '../core/events.js';
import { NO_PARTIALS, laneState, type LaneStep, addEvent } from '../core/lane.js';
import { stepOpenAt } from '../core/lifecycle.js';
import { computePnl } from '../core/pnl.js';
import { runStages, transition, type LaneStage } from './stage.js';

export type MonitorConfig = Pick<Config, 'intrabar' | 'feePercent' | 'slippagePercent' | 'emitActive'>;

/** The stage behind {@link monitorSignal}. */
export function monitorSignalStage(config: MonitorConfig): LaneStage {
  return (step) => {
    const { lane, bar } = step;
    const signal = lane.state.signal;
    if (signal === null || signal.pendingAt === null || bar.price === null) return;
    const outcome = step.final
      ? { reason: 'time_expired' as const, price: bar.price }
      : stepOpenAt(signal, bar, config);
    if (outcome === null) {
      if (config.emitActive && bar.candle.timestamp >= signal.pendingAt) {
        addEvent(step, {
          action: 'active',
          eventId: `${lane.strategy}|${lane.symbol}|${signal.id}|active:${bar.now}`,
          symbol: lane.symbol,
          strategy: lane.strategy,
          now: bar.now,
          signal,
          price: bar.price,
        });
      }
      return;
    }
    transition(step, laneState(null, NO_PARTIALS, lane.state.lastAskedAt));
    const pnl = computePnl(signal.position, signal.priceOpen, outcome.price, config);
    addEvent(step, closedEvent(lane, signal, bar.now, outcome.reason, pnl));
  };
}

/**
 * Take-profit, stop-loss and time expiry of the open signal (SEMANTICS §4.2). A candle touching both is resolved by
 * `intrabar` ('stop-loss-first' by default); TP and SL fill at exactly their price, expiry at the current price.
 *
 * @example
 * ```ts
 * steps$.pipe(monitorSignal({ intrabar: 'stop-loss-first', feePercent: 0.1, slippagePercent: 0.1, emitActive: false }))
 * ```
 */
export function monitorSignal(config: MonitorConfig): OperatorFunction<LaneStep, LaneStep> {
  return runStages(monitorSignalStage(config));
}
