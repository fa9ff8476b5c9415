import type { z } from 'zod';
import { describeIssues } from './describe-issues.js';

/** One version of a record format: its schema, and how a record of it becomes a record of the next version. */
export interface FormatVersion {
  readonly version: number;
  /** The record as that version wrote it (strict: a field it did not have is drift, not data). */
  readonly schema: z.ZodType;
  /** A record of this version, as the next version would have written it (pure). Absent on the newest. */
  readonly up?: (record: never) => unknown;
}

export type FormatRead<T> =
  | { readonly ok: true; readonly value: T; /** The version it was written in. */ readonly from: number }
  | { readonly ok: false; readonly reason: string };

/** A record format with its versions: reads any of them, migrating step by step to the newest. */
export interface VersionedFormat<T> {
  readonly name: string;
  /** The version written today. */
  readonly current: number;
  read(raw: unknown): FormatRead<T>;
}

/**
 * A record format from its versions, oldest first, consecutive, every one but the newest with its `up` migration.
 * A record is validated against the schema of the version it says it has, migrated one version at a time and
 * validated again at each step, so a migration can never hand on something its next version would not accept.
 *
 * @example
 * ```ts
 * const format = versionedFormat<Thing>('thing', [
 *   { version: 1, schema: V1, up: (r: V1) => ({ ...r, version: 2, note: null }) },
 *   { version: 2, schema: V2 },
 * ]);
 * format.read({ version: 1, … }); // { ok: true, value: { version: 2, …, note: null }, from: 1 }
 * ```
 */
export function versionedFormat<T>(name: string, versions: readonly FormatVersion[]): VersionedFormat<T> {
  if (versions.length === 0) throw new Error(`${name} format: no versions`);
  versions.forEach((v, i) => {
    if (i > 0 && v.version !== versions[i - 1]!.version + 1) throw new Error(`${name} format: versions must be consecutive`);
    if ((v.up === undefined) !== (i === versions.length - 1)) throw new Error(`${name} format: every version but the newest migrates up`);
  });
  const first = versions[0]!.version;
  const current = versions.at(-1)!.version;
  const range = first === current ? `v${current}` : `v${first} to v${current}`;
  return {
    name,
    current,
    read(raw) {
      const version = typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
      if (typeof version !== 'number' || !Number.isInteger(version)) {
        return { ok: false, reason: `not a ${name} record: no format version (this tickflow reads ${range})` };
      }
      if (version > current) {
        return { ok: false, reason: `${name} format v${version} is newer than this tickflow reads (${range}): written by a newer version` };
      }
      if (version < first) return { ok: false, reason: `${name} format v${version} is no longer read (this tickflow reads ${range})` };
      let record: unknown = raw;
      for (let i = version - first; i < versions.length; i++) {
        const v = versions[i]!;
        const parsed = v.schema.safeParse(record);
        if (!parsed.success) {
          const how = v.version === version ? '' : ` (migrated from v${version})`;
          return { ok: false, reason: `${name} format v${v.version}${how}: ${describeIssues(parsed.error)}` };
        }
        record = v.up === undefined ? parsed.data : (v.up as (r: unknown) => unknown)(parsed.data);
      }
      return { ok: true, value: record as T, from: version };
    },
  };
}
