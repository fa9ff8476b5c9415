import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from './user-error.js';

/** Whether a process with this pid exists (ours or not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The exit code the helpers below use for "someone else holds the lock". */
const BUSY = 75;

/**
 * Ways to take an exclusive `flock` on the file open as the helper's fd 3. Node has no flock of its own; a lock
 * belongs to the open file description, which the helper shares with this process, so it stays held after the
 * helper exits — until this process closes the file or dies, however it dies.
 */
const HELPERS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(BUSY), '3']],
  ['perl', ['-MFcntl=:flock', '-e', `open(my $f, '>>&=', 3) or exit 1; flock($f, LOCK_EX | LOCK_NB) or exit ${BUSY}`]],
];

/**
 * One node per store: two nodes resuming the same lanes would each act on the same signals. The lock is an OS file
 * lock (`flock`) on `tickflow-live.lock` in the store, held for the process's life: it holds across PID namespaces
 * (containers sharing the volume) and is released by the kernel when the process ends, however it ends — so there
 * is no stale lock to take over and nothing to delete. The file names the holder (pid and host) for the message.
 */
export function lockStore(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'tickflow-live.lock');
  const fd = openSync(file, 'a+');
  let locked = false;
  try {
    for (const [command, args] of HELPERS) {
      const run = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8' });
      if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') continue;
      if (run.status === BUSY) throw new UserError(`store ${dir} is in use by another tickflow live node (${holder(file)}); stop it first, or give this node its own store`);
      if (run.status !== 0) throw new UserError(`store ${dir}: could not lock ${file} with ${command}: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}`);
      ftruncateSync(fd, 0);
      writeSync(fd, `pid ${process.pid} on ${hostname()}\n`);
      locked = true;
      return () => closeSync(fd);
    }
    throw new UserError(`store ${dir}: cannot lock it: neither flock (util-linux) nor perl is installed`);
  } finally {
    if (!locked) closeSync(fd);
  }
}

function holder(file: string): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? 'holder unknown' : text;
  } catch {
    return 'holder unknown';
  }
}
