import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { Writable } from 'node:stream';
import type { SignalEvent } from '../core/events.js';
import { forward } from '../engine/forward.js';

/**
 * Writes every event as one JSON line (the event contract) and passes it on. On completion the stream is ended
 * (unless it is stdout/stderr) and completion waits until everything written was flushed, so no event is lost.
 *
 * @example
 * ```ts
 * backtest({ source, strategies }).pipe(writeJsonLines(createWriteStream('events.jsonl'))).subscribe();
 * ```
 */
export function writeJsonLines(out: Writable): MonoTypeOperatorFunction<SignalEvent> {
  const isStdio = out === process.stdout || out === process.stderr;
  return (source) =>
    new Observable<SignalEvent>((subscriber) => {
      let failed = false;
      const onError = (err: Error) => {
        failed = true;
        subscriber.error(new Error(`writing events failed: ${err.message}`, { cause: err }));
      };
      out.on('error', onError);
      const subscription = forward(subscriber, source, {
        next: (event) => {
          if (failed) return;
          out.write(`${JSON.stringify(event)}\n`);
          subscriber.next(event);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          // A write that failed while buffered is reported here, if the 'error' event has not come first.
          const done = (err?: Error | null) => {
            if (failed) return;
            if (err) onError(err);
            else subscriber.complete();
          };
          if (isStdio) out.write('', done);
          else out.end(done);
        },
      });
      return () => {
        // After a failure the stream may emit more errors (a write already queued): the listener stays to take them.
        if (!failed) out.off('error', onError);
        subscription.unsubscribe();
      };
    });
}
