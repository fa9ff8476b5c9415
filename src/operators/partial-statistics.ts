import type { OperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import { PartialAccumulator, type PartialStatistics } from '../core/partial-stats.js';
import { reduceEvents } from './reduce-events.js';

/**
 * Partial milestone statistics of the events (counts per level and direction, SEMANTICS §6), emitted once when the
 * events complete. Use `computePartialStatistics(events)` for an array.
 *
 * @example
 * ```ts
 * backtest({ source, strategies }).pipe(partialStatistics()).subscribe((p) => console.log(partialMarkdownReport(p)));
 * ```
 */
export function partialStatistics(): OperatorFunction<SignalEvent, PartialStatistics> {
  return reduceEvents(
    () => new PartialAccumulator(),
    (acc) => acc.result(),
  );
}
