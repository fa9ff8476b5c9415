import { Subscriber, type Observable, type Observer, type Subscription } from 'rxjs';

/**
 * Subscribes `observer` to `source` on behalf of `downstream`, linked so that when `downstream` unsubscribes in the
 * middle of a synchronous emission (a `take(n)` over a replay), the source sees its subscriber closed at once and
 * stops reading. A plain `source.subscribe({...})` returns its subscription only after a synchronous source has
 * replayed everything. RxJS's own operators get this from an internal subscriber class; the public `Subscriber`
 * constructor (deprecated for direct use, kept in RxJS 7) is the one public way to have the subscriber first.
 * A throw in `observer.next` goes downstream as an error, as in RxJS's operators.
 */
export function forward<T>(downstream: Subscriber<unknown>, source: Observable<T>, observer: Observer<T>): Subscription {
  const upstream: Subscriber<T> = new Subscriber<T>({
    next: (value) => {
      try {
        observer.next(value);
      } catch (err) {
        upstream.unsubscribe();
        downstream.error(err);
      }
    },
    error: (err: unknown) => observer.error(err),
    complete: () => observer.complete(),
  });
  downstream.add(upstream);
  source.subscribe(upstream);
  return upstream;
}
