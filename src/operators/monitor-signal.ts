import type { OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { closedEvent } from '../core/events.js';
import { NO_PARTIALS, laneState, type LaneStep, addEvent } from '../core/lane.js';
import { stepOpenAt, type CloseOutcome } from '../core/lifecycle.js';
import { stepManagedAt } from '../core/effective-stop.js';
import type { Signal } from '../core/signal.js';
import { tradeClose } from '../core/trade-close.js';
import { runStages, transition, type LaneStage } from '../engine/stage.js';

export type MonitorConfig = Pick<Config, 'intrabar' | 'feePercent' | 'slippagePercent' | 'emitActive'>;

/**
 * Closes the lane's open signal at `now` (SEMANTICS §4, §13): the lane goes idle and the `closed` event carries the
 * trade's pnl (its parts when it was closed in parts).
 */
export function closeOpenSignal(step: LaneStep, signal: Signal, outcome: CloseOutcome, config: Pick<Config, 'feePercent' | 'slippagePercent'>): void {
  const { lane, bar } = step;
  const managed = lane.state.managed ?? null;
  transition(step, laneState(null, NO_PARTIALS, lane.state.lastAskedAt));
  const { pnl, parts } = tradeClose(signal, managed, outcome.price, bar.now, config);
  addEvent(step, closedEvent(lane, signal, bar.now, outcome.reason, pnl, parts));
}

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
  // Most candles of an open signal close nothing: the check stays small, the close and `active` are out of line.
  return (step) => {
    const { lane, bar } = step;
    const state = lane.state;
    const signal = state.signal;
    if (signal === null || signal.pendingAt === null || bar.price === null) return;
    // A signal nothing manages (no moved level, no leverage) takes §4's own check.
    const managed = state.managed ?? null;
    const outcome = step.final
      ? { reason: 'time_expired' as const, price: bar.price }
      : managed === null && signal.liquidationPrice === undefined
        ? stepOpenAt(signal, bar, config)
        : stepManagedAt(signal, managed, bar, config);
    if (outcome !== null) closeOpenSignal(step, signal, outcome, config);
    else if (config.emitActive) active(step, signal);
  };
}

/**
 * Take-profit, stop-loss and time expiry of the open signal (SEMANTICS §4.2), at the effective levels in force when
 * the candle began and the liquidation price of a leveraged signal (SEMANTICS §13). A candle touching both is resolved by
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
