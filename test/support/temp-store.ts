import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type Key } from 'lmdb';
import { openStore, type LmdbStore, type StoreOptions } from '../../src/lmdb.js';
import type { QuarantineReport } from '../../src/store/types.js';

/** A fresh directory under the OS temp dir, removed by `cleanup`. */
export async function tempDir(prefix = 'tickflow-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A real LMDB store in its own temp directory, with every quarantine report collected. */
export async function tempStore(options: Omit<StoreOptions, 'path' | 'onQuarantine'> = {}): Promise<{
  path: string;
  store: LmdbStore;
  reports: QuarantineReport[];
  reopen: () => Promise<LmdbStore>;
  cleanup: () => Promise<void>;
}> {
  const dir = await tempDir();
  const reports: QuarantineReport[] = [];
  const make = () => openStore({ ...options, path: dir.path, onQuarantine: (r) => reports.push(r) });
  const handle = {
    path: dir.path,
    store: make(),
    reports,
    reopen: async () => {
      await handle.store.close();
      handle.store = make();
      return handle.store;
    },
    cleanup: async () => {
      await handle.store.close().catch(() => undefined);
      await dir.cleanup();
    },
  };
  return handle;
}

/**
 * Write straight into one of the store's databases, bypassing tickflow (the store must be closed): how a test
 * simulates a corrupted or foreign record. `bytes` writes raw bytes instead of an encoded value.
 */
export async function tamper(path: string, db: string, key: Key, value: unknown, bytes = false): Promise<void> {
  const root = open<unknown, Key>({ path, maxDbs: 8 });
  const target = root.openDB<unknown, Key>({ name: db, ...(bytes ? { encoding: 'binary' as const } : {}) });
  target.putSync(key, value);
  await root.close();
}
