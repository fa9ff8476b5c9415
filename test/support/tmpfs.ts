/**
 * A small tmpfs for disk-full tests: a real file system that runs out of space. Mounting needs root (or
 * CAP_SYS_ADMIN); where it is not permitted, `mountTmpfs` says why and the test skips itself.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, rmSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  readonly path: string;
  /** Fills the file system to the last byte with a filler file (the next write fails with ENOSPC). */
  fill(): void;
  /** Removes the filler: the disk has room again. */
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `sizeKb` on a fresh directory, or returns the reason it cannot. */
export function mountTmpfs(sizeKb: number): Tmpfs | { readonly unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: `tmpfs mounts need Linux (this is ${process.platform})` };
  const path = mkdtempSync(join(tmpdir(), 'tickflow-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (err) {
    rmdirSync(path);
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    return { unavailable: `cannot mount a tmpfs here (${why})` };
  }
  const filler = join(path, 'filler');
  return {
    path,
    fill() {
      // Chunk by chunk until the file system refuses: the last byte of room is taken.
      const chunk = Buffer.alloc(64 * 1024);
      for (;;) {
        try {
          writeFileSync(filler, chunk, { flag: 'a' });
        } catch {
          break;
        }
      }
      for (const size of [4096, 512, 1]) {
        for (;;) {
          try {
            writeFileSync(filler, chunk.subarray(0, size), { flag: 'a' });
          } catch {
            break;
          }
        }
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      rmdirSync(path);
    },
  };
}
