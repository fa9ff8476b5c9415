import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from './user-error.js';

async function kind(path: string): Promise<'file' | 'dir' | 'other' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: a folder on the way is a file, so this path does not exist (callers look at the folders on the way).
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The nearest folder on the way up from `path` that exists, or the reason there is none. */
async function nearestFolder(path: string): Promise<{ dir: string } | { blocked: string }> {
  let p = resolve(path);
  for (;;) {
    const k = await kind(p);
    if (k === 'dir') return { dir: p };
    if (k !== null) return { blocked: p };
    const up = dirname(p);
    if (up === p) return { blocked: p };
    p = up;
  }
}

/**
 * Checks `--events FILE` and `--report DIR` before anything runs, so a mistake costs one line and no run: the events
 * file must go into an existing, writable folder and not be a folder (a device or named pipe is fine); the report folder may be missing (it is made,
 * with its parents) but not be a file or lie under one, and must be writable. Both must not be the same path.
 */
export async function checkOutputPaths(outputs: { readonly events?: string; readonly report?: string }): Promise<void> {
  const { events, report } = outputs;
  if (events !== undefined && events !== '-') {
    const k = await kind(events);
    if (k === 'dir') throw new UserError(`--events ${events}: is a folder; give a file path (or - for stdout)`);
    const parent = dirname(resolve(events));
    const pk = await kind(parent);
    if (pk !== 'dir') throw new UserError(`--events ${events}: the folder ${parent} ${pk === null ? 'does not exist' : 'is not a folder'}; create it first`);
    if (!(await writable(parent)) || (k !== null && !(await writable(events)))) throw new UserError(`--events ${events}: not writable (permission denied)`);
  }
  if (report !== undefined) {
    const k = await kind(report);
    if (k === 'file' || k === 'other') throw new UserError(`--report ${report}: exists and is not a folder; give a folder for the reports`);
    const near = await nearestFolder(report);
    if ('blocked' in near) throw new UserError(`--report ${report}: cannot be made: ${near.blocked} is not a folder`);
    if (!(await writable(near.dir))) throw new UserError(`--report ${report}: ${near.dir} is not writable (permission denied)`);
    if (events !== undefined && events !== '-' && resolve(events) === resolve(report)) {
      throw new UserError(`--events and --report are the same path (${events})`);
    }
  }
}

/** Where events go: stdout, or a file opened before the run that a failed run removes. */
export interface EventsOutput {
  readonly stream: Writable;
  /** Remove what a run that failed wrote (nothing for stdout). */
  discard(): Promise<void>;
}

/**
 * Opens `--events` (already checked by {@link checkOutputPaths}); an open that still fails is a one-line UserError.
 *
 * @example
 * ```ts
 * const out = await openEvents('events.jsonl');
 * try { await run(out.stream); } catch (err) { await out.discard(); throw err; }
 * ```
 */
export async function openEvents(path: string): Promise<EventsOutput> {
  if (path === '-') return { stream: process.stdout, discard: async () => {} };
  // Only a regular file (or a new one) is removed on failure: never a device or a named pipe.
  const removable = (await kind(path)) !== 'other';
  const stream: WriteStream = createWriteStream(path);
  await new Promise<void>((ok, fail) => {
    stream.once('open', () => ok());
    stream.once('error', (err: NodeJS.ErrnoException) => fail(new UserError(`--events ${path}: cannot open (${err.code ?? err.message})`)));
  });
  return {
    stream,
    async discard() {
      await new Promise<void>((done) => {
        if (stream.destroyed) return done();
        stream.once('close', () => done());
        stream.destroy();
      });
      if (removable) await unlink(path).catch(() => undefined);
    },
  };
}

/** Runs `run`; when it fails, what it wrote to `events` is removed before the failure goes on. */
export async function discardOnFailure<T>(events: EventsOutput | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    await events?.discard();
    throw err;
  }
}
