import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from '../../src/store/records.js';
import { versionedFormat } from '../../src/store/versioned.js';

/*
 * A synthetic history of a record format, to exercise the migration chain: v0 kept `last` and no partials, v1
 * renamed it and added partials, v2 (today's) added a note.
 */
const V0 = z.strictObject({ version: z.literal(0), last: z.number().int() });
const V1 = z.strictObject({ version: z.literal(1), lastTimestamp: z.number().int(), partials: z.array(z.number()) });
const V2 = z.strictObject({ version: z.literal(2), lastTimestamp: z.number().int(), partials: z.array(z.number()), note: z.string().nullable() });
type Current = z.infer<typeof V2>;

const steps: string[] = [];
const format = versionedFormat<Current>('lane', [
  {
    version: 0,
    schema: V0,
    up: (r: z.infer<typeof V0>) => {
      steps.push('0→1');
      return { version: 1, lastTimestamp: r.last, partials: [] };
    },
  },
  {
    version: 1,
    schema: V1,
    up: (r: z.infer<typeof V1>) => {
      steps.push('1→2');
      return { ...r, version: 2, note: null };
    },
  },
  { version: 2, schema: V2 },
]);

describe('versionedFormat', () => {
  it('reads a record of every version, migrating it one version at a time to the current one', () => {
    steps.length = 0;
    expect(format.read({ version: 0, last: 60_000 })).toEqual({ ok: true, from: 0, value: { version: 2, lastTimestamp: 60_000, partials: [], note: null } });
    expect(steps).toEqual(['0→1', '1→2']);
    expect(format.read({ version: 1, lastTimestamp: 5, partials: [10] })).toEqual({ ok: true, from: 1, value: { version: 2, lastTimestamp: 5, partials: [10], note: null } });
    expect(format.read({ version: 2, lastTimestamp: 5, partials: [], note: 'x' })).toEqual({ ok: true, from: 2, value: { version: 2, lastTimestamp: 5, partials: [], note: 'x' } });
  });

  it('says which version and field a record fails, and never guesses at a newer or unversioned one', () => {
    expect(format.read({ version: 0, last: 'soon' })).toEqual({ ok: false, reason: "lane format v0: field 'last': Invalid input: expected number, received string" });
    expect(format.read({ version: 1, lastTimestamp: 5 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^lane format v1: field 'partials'/) });
    expect(format.read({ version: 3 })).toEqual({ ok: false, reason: 'lane format v3 is newer than this tickflow reads (v0 to v2): written by a newer version' });
    expect(format.read({ last: 1 })).toEqual({ ok: false, reason: 'not a lane record: no format version (this tickflow reads v0 to v2)' });
    expect(format.read(null)).toMatchObject({ ok: false });
  });

  it('validates what a migration hands on against the next version', () => {
    const broken = versionedFormat('lane', [
      { version: 0, schema: V0, up: (r: z.infer<typeof V0>) => ({ version: 1, lastTimestamp: r.last }) },
      { version: 1, schema: V1 },
    ]);
    expect(broken.read({ version: 0, last: 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^lane format v1 \(migrated from v0\): field 'partials'/) });
  });

  it('refuses a chain with holes or a missing migration', () => {
    expect(() => versionedFormat('x', [{ version: 0, schema: V0, up: (r: unknown) => r }, { version: 2, schema: V2 }])).toThrow(/consecutive/);
    expect(() => versionedFormat('x', [{ version: 0, schema: V0 }, { version: 1, schema: V1 }])).toThrow(/migrates up/);
  });

  it('the checkpoint format reads its current version', () => {
    expect(CHECKPOINT_FORMAT.current).toBe(CHECKPOINT_VERSION);
  });
});
