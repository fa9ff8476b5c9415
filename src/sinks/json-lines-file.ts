import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';

/** A last line without its newline found when the file was opened, and removed. */
export interface TornLine {
  readonly path: string;
  /** Its length in bytes. */
  readonly bytes: number;
  /** Its start (at most 200 characters). */
  readonly text: string;
}

export interface AppendJsonLinesOptions {
  /** Told of a torn last line removed at open (default: a warning on stderr). */
  readonly onTornLine?: (torn: TornLine) => void;
}

const reportTorn = (t: TornLine) =>
  process.stderr.write(
    `events file ${t.path}: removed a torn last line (${t.bytes} bytes, not a whole event: a write was cut short, e.g. by a full disk); its event is delivered again with the same eventId\n`,
  );

/**
 * Appends every event as one JSON line to `path` with a synchronous write, then passes it on. Unlike a buffered
 * stream, an event that went past this sink is in the operating system's hands: a process killed right after
 * (SIGKILL, a crash) does not lose it. Costs one system call per event — nothing for a live node, whose events are
 * few; for a fast backtest prefer `writeJsonLines`. The file is opened for appending, so a restarted node adds to
 * it (re-delivered events included: de-duplicate by `eventId`).
 *
 * Only whole lines stay in the file: a write cut short (a full disk) is taken back before the sink fails, and a torn
 * last line left by a process that died mid-write is removed when the file is opened (and reported) — the event it
 * held was never passed on, so a live node delivers it again.
 *
 * @example
 * ```ts
 * live({ exchange, symbols, strategies, store, sinks: [appendJsonLines('events.jsonl')] }).subscribe();
 * ```
 */
export function appendJsonLines(path: string, options: AppendJsonLinesOptions = {}): MonoTypeOperatorFunction<SignalEvent> {
  return (source) =>
    new Observable<SignalEvent>((subscriber) => {
      let fd: number | null;
      /** The file's size: where the next line starts. */
      let size: number;
      try {
        fd = openSync(path, 'a+');
        size = repairTornLine(fd, path, options.onTornLine ?? reportTorn);
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
            size = appendLine(fd, size, Buffer.from(`${JSON.stringify(event)}\n`));
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

/** Writes `line` whole at `size` (the end of the file), or takes back what part of it was written and throws. */
function appendLine(fd: number, size: number, line: Buffer): number {
  let done = 0;
  try {
    // A write may be short (a nearly full disk); the next one then fails with the reason.
    while (done < line.length) done += writeSync(fd, line, done, line.length - done);
  } catch (err) {
    if (done > 0) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // left for the next open to repair
      }
    }
    throw err;
  }
  return size + done;
}

const CHUNK = 65_536;

/** Cuts the file back to its last newline if it does not end with one; returns the file's size afterwards. */
function repairTornLine(fd: number, path: string, report: (torn: TornLine) => void): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const buffer = Buffer.alloc(CHUNK);
  let end = size;
  let keep = 0;
  // Backwards, a chunk at a time, to the last newline (or the start of the file).
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const n = readSync(fd, buffer, 0, end - start, start);
    const at = buffer.subarray(0, n).lastIndexOf(0x0a);
    if (at >= 0) {
      keep = start + at + 1;
      break;
    }
    end = start;
  }
  if (keep === size) return size;
  const head = Buffer.alloc(Math.min(size - keep, 200));
  readSync(fd, head, 0, head.length, keep);
  ftruncateSync(fd, keep);
  report({ path, bytes: size - keep, text: head.toString('utf8') });
  return keep;
}
