import type { Database, Key } from 'lmdb';

/** A value read from LMDB, or the raw bytes and why they could not be decoded. */
export type RawRead = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly raw: unknown; readonly reason: string };

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `db.get` that never throws on corrupted bytes: they come back raw, for the quarantine. */
export function safeGet(db: Database<unknown, Key>, key: Key): RawRead | undefined {
  try {
    const value = db.get(key);
    return value === undefined ? undefined : { ok: true, value };
  } catch (err) {
    return { ok: false, raw: db.getBinary(key), reason: `undecodable record: ${message(err)}` };
  }
}

export interface RawEntry {
  readonly key: Key;
  readonly read: RawRead;
}

/**
 * Up to `limit` (default: all) entries of `[start, end)`, materialised so the caller may write (quarantine) between chunks. The
 * fast path decodes the range in one cursor pass; only when a record cannot be decoded does it fall back to reading
 * the chunk key by key.
 */
export function safeRange(db: Database<unknown, Key>, start?: Key, end?: Key, limit?: number): RawEntry[] {
  try {
    return Array.from(db.getRange({ start, end, limit }), ({ key, value }) => ({ key, read: { ok: true, value } as RawRead }));
  } catch {
    const out: RawEntry[] = [];
    for (const key of Array.from(db.getKeys({ start, end, limit }))) {
      const read = safeGet(db, key);
      if (read !== undefined) out.push({ key, read });
    }
    return out;
  }
}
