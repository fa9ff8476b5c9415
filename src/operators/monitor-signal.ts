import type { OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { closedEvent } from '../core/events.js';
import { NO_PARTIALS, laneState, type LaneStep, addEvent } from '../core/lane.js';
import { stepOpenAt, type CloseOutcome } from '../core/lifecycle.js';
import type { Signal } from '../core/signal.js';
import { computePnl } from '../core/pnl.js';
import { runStages, transition, type LaneStage } from '../engine/stage.js';

export type MonitorConfig = Pick<Config, 'intrabar' | 'feePercent' | 'slippagePercent' | 'emitActive'>;

/** The stage behind {@link monitorSignal}. */
export function monitorSignalStage(config: MonitorConfig): LaneStage {
  const active = (step: LaneStep, signal: Signal): void => {
    const { lane, bar } = step;
    if (bar.candle.timestamp < signal.pendingAt!) return;
    addEvent(step, {
      action: 'active',
      eventId: `${lane.strategy}|${lane.symbol}|${signal.id}|active:${bar.now}`,
      symbol: lane.symbol,
      strategy: lane.strategy,
      now: bar.now,
      signal,
      price: bar.price!,
    });
  };
  const close = (step: LaneStep, signal: Signal, outcome: CloseOutcome): void => {
    const { lane, bar } = step;
    transition(step, laneState(null, NO_PARTIALS, lane.state.lastAskedAt));
    const pnl = computePnl(signal.position, signal.priceOpen, outcome.price, config);
    addEvent(step, closedEvent(lane, signal, bar.now, outcome.reason, pnl));
  };
  // Most candles of an open signal close nothing: the check stays small, the close and `active` are out of line.
  return (step) => {
    const { lane, bar } = step;
    const signal = lane.state.signal;
    if (signal === null || signal.pendingAt === null || bar.price === null) return;
    const outcome = step.final ? { reason: 'time_expired' as const, price: bar.price } : stepOpenAt(signal, bar, config);
    if (outcome !== null) close(step, signal, outcome);
    else if (config.emitActive) active(step, signal);
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
