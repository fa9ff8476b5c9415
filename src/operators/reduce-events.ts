import { Observable, type OperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import { forward } from '../engine/forward.js';

/**
 * A statistics operator from a streaming accumulator: every event goes to `add`, and `finish` is emitted once when
 * the events complete. Constant memory beyond what the accumulator keeps.
 *
 * @example
 * ```ts
 * const partials = () => reduceEvents(() => new PartialAccumulator(), (acc) => acc.result());
 * events$.pipe(partials()).subscribe(console.log);
 * ```
 */
export function reduceEvents<A extends { add(e: SignalEvent): void }, R>(
  make: () => A,
  finish: (acc: A) => R,
): OperatorFunction<SignalEvent, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const acc = make();
      return forward(subscriber, source, {
        next: (e) => acc.add(e),
        error: (err) => subscriber.error(err),
        complete: () => {
          subscriber.next(finish(acc));
          subscriber.complete();
        },
      });
    });
}
