import { closeSync, openSync, writeSync } from 'node:fs';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';

/**
 * Appends every event as one JSON line to `path` with a synchronous write, then passes it on. Unlike a buffered
 * stream, an event that went past this sink is in the operating system's hands: a process killed right after
 * (SIGKILL, a crash) does not lose it. Costs one system call per event — nothing for a live node, whose events are
 * few; for a fast backtest prefer `writeJsonLines`. The file is opened for appending, so a restarted node adds to
 * it (re-delivered events included: de-duplicate by `eventId`).
 *
 * @example
 * ```ts
 * live({ exchange, symbols, strategies, store, sinks: [appendJsonLines('events.jsonl')] }).subscribe();
 * ```
 */
export function appendJsonLines(path: string): MonoTypeOperatorFunction<SignalEvent> {
  return (source) =>
    new Observable<SignalEvent>((subscriber) => {
      let fd: number | null;
      try {
        fd = openSync(path, 'a');
      } catch (err) {
        subscriber.error(new Error(`events file ${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`));
        return;
      }
      const close = () => {
        if (fd === null) return;
        const f = fd;
        fd = null;
        try {
          closeSync(f);
        } catch {
          // already unusable: nothing more to flush
        }
      };
      const subscription = source.subscribe({
        next: (event) => {
          if (fd === null) return;
          try {
            writeSync(fd, `${JSON.stringify(event)}\n`);
          } catch (err) {
            close();
            subscriber.error(new Error(`events file ${path}: write failed: ${(err as Error).message}`));
            return;
          }
          subscriber.next(event);
        },
        error: (err) => {
          close();
          subscriber.error(err);
        },
        complete: () => {
          close();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        close();
      };
    });
}
