import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, mkdir, rmdir, stat, unlink } from 'node:fs/promises';
import { describeError } from '../core/problems.js';
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

/** What a run writes to before it starts: the events stream and the report folder, ready; removable on failure. */
export interface RunOutputs {
  /** Where events go (stdout for `-`), when `--events` was given. */
  readonly events: Writable | undefined;
  /** Remove what a failed run wrote: the events file (never a device or pipe) and the report folders made for it. */
  discard(): Promise<void>;
}

/** Makes the missing folders of `dir` one by one (never `recursive`, which loops forever under /proc in Node 20). */
async function makeFolders(dir: string, label: string): Promise<string[]> {
  const missing: string[] = [];
  for (let p = resolve(dir); (await kind(p)) === null; p = dirname(p)) missing.unshift(p);
  const made: string[] = [];
  for (const m of missing) {
    try {
      await mkdir(m);
    } catch (err) {
      await removeFolders(made);
      throw new UserError(`${label}: cannot make the folder ${m} (${(err as NodeJS.ErrnoException).code ?? describeError(err)})`);
    }
    made.push(m);
  }
  return made;
}

/** Removes folders made for a run, deepest first, each only if empty. */
async function removeFolders(made: readonly string[]): Promise<void> {
  for (const m of [...made].reverse()) await rmdir(m).catch(() => undefined);
}

/**
 * Opens what a run writes to, after {@link checkOutputPaths} and once every input was read: the events file (a
 * regular file, a device or a named pipe) and the report folder, made now so that a folder that cannot be made fails
 * before the run. Either failing is a one-line UserError and leaves nothing behind.
 *
 * @example
 * ```ts
 * const outputs = await openOutputs({ events: 'events.jsonl', report: 'out' });
 * await discardOnFailure(outputs, () => run(outputs.events));
 * ```
 */
export async function openOutputs(paths: { readonly events?: string; readonly report?: string }): Promise<RunOutputs> {
  const { events, report } = paths;
  const made = report !== undefined ? await makeFolders(report, `--report ${report}`) : [];
  if (events === undefined || events === '-') {
    return { events: events === '-' ? process.stdout : undefined, discard: () => removeFolders(made) };
  }
  // Only a regular file (or a new one) is removed on failure: never a device or a named pipe.
  const removable = (await kind(events)) !== 'other';
  const stream: WriteStream = createWriteStream(events);
  // The stream's errors are reported by the writer (writeJsonLines); this one keeps a late one from crashing.
  stream.on('error', () => undefined);
  try {
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', fail);
    });
  } catch (err) {
    await removeFolders(made);
    throw new UserError(`--events ${events}: cannot open (${(err as NodeJS.ErrnoException).code ?? describeError(err)})`);
  }
  return {
    events: stream,
    async discard() {
      await new Promise<void>((done) => {
        if (stream.closed) return done();
        stream.once('close', () => done());
        stream.destroy();
      });
      if (removable) await unlink(events).catch(() => undefined);
      await removeFolders(made);
    },
  };
}

/** Runs `run`; when it fails, what it wrote to `outputs` is removed before the failure goes on. */
export async function discardOnFailure<T>(outputs: RunOutputs, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    await outputs.discard();
    throw err;
  }
}
