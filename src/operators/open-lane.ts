import { Observable, type OperatorFunction } from 'rxjs';
import type { Bar, LaneStep } from '../core/lane.js';
import { LaneBook, type LaneBookOptions } from '../engine/lane-book.js';
import { forward } from '../engine/forward.js';

export interface OpenLaneOptions extends LaneBookOptions {
  /**
   * At end of data, emit a final step per lane so the stages can settle the signal it holds by the time the step
   * reaches them (`closeAtEnd`).
   */
  readonly closeAtEnd?: boolean;
}

/**
 * Starts the lanes of one strategy: one lane per symbol, each bar becomes a {@link LaneStep} carrying its lane.
 * A candle the lane has already processed (after a restore) is skipped, so replays never duplicate transitions.
 *
 * @example
 * ```ts
 * bars$.pipe(openLane({ strategy: 'sma-cross' }), monitorSignal(config), laneEvents())
 * ```
 */
export function openLane(options: OpenLaneOptions): OperatorFunction<Bar, LaneStep> {
  return (source) =>
    new Observable<LaneStep>((subscriber) => {
      const book = new LaneBook(options);
      return forward(subscriber, source, {
        next: (bar) => {
          const step = book.step(bar);
          if (step !== null) subscriber.next(step);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          if (options.closeAtEnd) for (const step of book.finalSteps(true)) subscriber.next(step);
          subscriber.complete();
        },
      });
    });
}
