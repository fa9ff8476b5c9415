import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, from, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { appendJsonLines, type TornLine } from '../../src/sinks/json-lines-file.js';

const dir = mkdtempSync(join(tmpdir(), 'tickflow-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Events as far as this sink cares: objects with an id, `size` characters of JSON or so. */
const event = (i: number, size = 120) => ({ action: 'active', eventId: `e${i}`, note: 'x'.repeat(Math.max(0, size - 40)) }) as unknown as SignalEvent;

async function append(path: string, events: readonly SignalEvent[], torn: TornLine[] = []): Promise<{ passed: number; error?: Error }> {
  try {
    const passed = await lastValueFrom(from(events).pipe(appendJsonLines(path, { onTornLine: (t) => torn.push(t) }), toArray()));
    return { passed: passed.length };
  } catch (err) {
    return { passed: -1, error: err as Error };
  }
}

/** Every line of the file parsed (throws on a line that is not whole JSON), and whether it ends with a newline. */
function lines(path: string): { ids: string[]; whole: boolean } {
  const text = readFileSync(path, 'utf8');
  const ids = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { eventId: string }).eventId);
  return { ids, whole: text === '' || text.endsWith('\n') };
}

describe('appendJsonLines and torn lines', () => {
  it('removes a torn last line at open, reports it, and appends after the last whole line', async () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, `${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n{"action":"opened","eventId":"e3","sig`);
    const torn: TornLine[] = [];
    expect(await append(path, [event(3), event(4)], torn)).toEqual({ passed: 2 });
    expect(lines(path)).toEqual({ ids: ['e1', 'e2', 'e3', 'e4'], whole: true });
    expect(torn).toEqual([{ path, bytes: 38, text: '{"action":"opened","eventId":"e3","sig' }]);
  });

  it('repairs a file that is one torn line, and one torn across more than a read chunk', async () => {
    const only = join(dir, 'only.jsonl');
    writeFileSync(only, '{"action":"op');
    const torn: TornLine[] = [];
    await append(only, [event(1)], torn);
    expect(lines(only)).toEqual({ ids: ['e1'], whole: true });
    expect(torn.map((t) => t.bytes)).toEqual([13]);

    const long = join(dir, 'long.jsonl');
    const big = JSON.stringify(event(1, 200_000));
    writeFileSync(long, `${big}\n${big.slice(0, 150_000)}`);
    await append(long, [event(2)], torn);
    expect(lines(long)).toEqual({ ids: ['e1', 'e2'], whole: true });
    expect(torn.at(-1)!.bytes).toBe(150_000);
    expect(torn.at(-1)!.text).toHaveLength(200);
  });

  it('leaves a whole file alone', async () => {
    const path = join(dir, 'whole.jsonl');
    writeFileSync(path, `${JSON.stringify(event(1))}\n`);
    const torn: TornLine[] = [];
    await append(path, [event(2)], torn);
    expect(torn).toEqual([]);
    expect(lines(path)).toEqual({ ids: ['e1', 'e2'], whole: true });
  });

  // A real full disk: a small tmpfs. Mounting needs root; elsewhere the test is skipped and says why.
  const mountPoint = join(dir, 'tmpfs');
  mkdirSync(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { encoding: 'utf8' });
  const refused = mounted.error ? mounted.error.message : mounted.status !== 0 ? mounted.stderr.trim() || `exit ${mounted.status}` : null;
  if (refused !== null) console.log(`append-json-lines: full-disk case skipped, cannot mount a tmpfs here: ${refused}`);
  afterAll(() => {
    if (refused === null) spawnSync('umount', [mountPoint]);
  });

  it.skipIf(refused !== null)('on a full disk: fails naming the file, leaves only whole lines, and goes on once there is room', async () => {
    const path = join(mountPoint, 'events.jsonl');
    const filler = join(mountPoint, 'filler');
    // All but a few kilobytes taken: some events fit, one is cut short by the disk.
    writeFileSync(filler, Buffer.alloc(64 * 1024 - 3 * 4096 + 1_000));
    const events = Array.from({ length: 40 }, (_, i) => event(i, 700));
    const full = await append(path, events);
    expect(full.error?.message).toMatch(new RegExp(`^events file ${path}: write failed: ENOSPC`));
    const after = lines(path);
    expect(after.whole).toBe(true);
    expect(after.ids.length).toBeGreaterThan(0);
    expect(after.ids).toEqual(events.slice(0, after.ids.length).map((e) => e.eventId));

    // Room again: the restarted writer appends whole lines after the last one.
    rmSync(filler);
    const torn: TornLine[] = [];
    expect(await append(path, events.slice(after.ids.length), torn)).toEqual({ passed: events.length - after.ids.length });
    expect(torn).toEqual([]);
    expect(lines(path)).toEqual({ ids: events.map((e) => e.eventId), whole: true });
  });
});
