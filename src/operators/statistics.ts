import type { OperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import { ScheduleAccumulator, type ScheduleStatistics } from '../core/schedule-stats.js';
import { StatisticsAccumulator, type BacktestStatistics } from '../core/stats.js';
import { reduceEvents } from './reduce-events.js';

/**
 * Backtest statistics of the events (SEMANTICS §9), emitted once when the events complete. Constant memory.
 * Use `computeStatistics(events)` for an array.
 *
 * @example
 * ```ts
 * backtest({ source, strategies }).pipe(statistics()).subscribe((s) => console.log(s.sharpeRatio, s.maxDrawdown));
 * ```
 */
export function statistics(): OperatorFunction<SignalEvent, BacktestStatistics> {
  return reduceEvents(
    () => new StatisticsAccumulator(),
    (acc) => acc.result(),
  );
}

/**
 * Schedule statistics of the events (SEMANTICS §9), emitted once when the events complete.
 *
 * @example
 * ```ts
 * backtest({ source, strategies }).pipe(scheduleStatistics()).subscribe((s) => console.log(s.activationRate));
 * ```
 */
export function scheduleStatistics(): OperatorFunction<SignalEvent, ScheduleStatistics> {
  return reduceEvents(
    () => new ScheduleAccumulator(),
    (acc) => acc.result(),
  );
}
