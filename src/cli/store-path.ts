import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './user-error.js';
import { StoreDamagedError } from '../store/store-file-check.js';

const why = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EROFS':
      return 'on a read-only file system';
    case 'EACCES':
    case 'EPERM':
      return 'not writable by this user';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a part of the path is a file, not a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return e.message ?? String(err);
  }
};

/**
 * A live node's store must be a directory it can write (LMDB files and the node's lock go there): checked before
 * anything is opened, so a wrong path is one line naming it and what is wrong, never a stack trace from deep inside.
 */
export function checkStorePath(path: string): void {
  let isDirectory: boolean | undefined;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`store ${path}: cannot be used: ${why(err)}`);
  }
  if (isDirectory === false) throw new UserError(`store ${path}: is a file; the store is a directory (give the path of a directory, or of one to create)`);
  try {
    // Where the directory will be made must be writable (asked first: a recursive mkdir reports EROFS as ENOENT).
    accessSync(isDirectory === undefined ? existingAncestor(path) : path, constants.W_OK);
    if (isDirectory === undefined) mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new UserError(`store ${path}: cannot be ${isDirectory === undefined ? 'created' : 'written'}: ${why(err)}`);
  }
}

function existingAncestor(path: string): string {
  let at = resolve(path);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/** An error opening the store (LMDB) as one line naming it. */
export function storeOpenError(path: string, err: unknown): UserError {
  // The store file check already names the store and says what to do.
  if (err instanceof StoreDamagedError) return new UserError(err.message, { cause: err });
  return new UserError(`store ${path}: cannot be opened: ${why(err)}`, { cause: err });
}
