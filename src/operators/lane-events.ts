import { Observable, type OperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import type { LaneStep } from '../core/lane.js';
import { forward } from '../engine/forward.js';

/**
 * The end of a lane chain: the events each step collected, in order.
 *
 * @example
 * ```ts
 * steps$.pipe(monitorSignal(config), laneEvents()).subscribe((event) => console.log(event.action))
 * ```
 */
export function laneEvents(): OperatorFunction<LaneStep, SignalEvent> {
  return (source) =>
    new Observable<SignalEvent>((subscriber) =>
      forward(subscriber, source, {
        next: (step) => {
          const events = step.events;
          for (let i = 0; i < events.length; i++) subscriber.next(events[i]!);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
