import type { OperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import { HeatAccumulator, type HeatStatistics } from '../core/heat.js';
import { reduceEvents } from './reduce-events.js';

/**
 * Portfolio (heat) statistics of the events: one row per symbol sorted by Sharpe ratio descending (nulls last), and
 * portfolio totals (SEMANTICS §9); emitted once when the events complete. `strategy` restricts it to one
 * strategy's events. Use `computeHeat(events)` for an array, or the `heat(...)` pipeline.
 *
 * @example
 * ```ts
 * backtest({ source, strategies }).pipe(heatStatistics()).subscribe((h) => console.log(heatMarkdownReport(h)));
 * ```
 */
export function heatStatistics(options: { readonly strategy?: string } = {}): OperatorFunction<SignalEvent, HeatStatistics> {
  return reduceEvents(
    () => new HeatAccumulator(options),
    (acc) => acc.result(),
  );
}
