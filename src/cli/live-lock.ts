import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * One node per store: two nodes resuming the same lanes would each act on the same signals. The lock is a file
 * holding the owner's pid; a lock whose process is gone (a node that was killed) is taken over.
 */
export function lockStore(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'tickflow-live.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new UserError(`store ${dir} is in use by another tickflow live node (pid ${owner})`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new UserError(`store ${dir}: could not take the lock ${file}`);
}
