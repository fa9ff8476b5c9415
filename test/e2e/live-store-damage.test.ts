/**
 * `tickflow live` on a store whose LMDB data file is damaged: one line saying so and what to do, exit 2 — never a
 * SIGBUS/SIGSEGV death. Real processes on real (damaged) LMDB files.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDLE_STATE } from '../../src/core/lane.js';
import { openStore } from '../../src/lmdb.js';
import { series } from '../support/fixtures.js';
import { waitFor } from '../support/collect.js';
import { buildCli, ROOT } from './live-node.js';

let cli: { cli: string; cleanup: () => void };
const dir = mkdtempSync(join(tmpdir(), 'tickflow-damage-'));
const intact = join(dir, 'intact');

beforeAll(async () => {
  cli = await buildCli();
  // A store with checkpoints and enough cached candles to span many pages.
  const store = openStore({ path: intact, noSync: true });
  for (const symbol of ['A/USDT', 'B/USDT']) {
    store.candles.putCandles(symbol, '1m', series(3_000, 1));
    store.writeCheckpoint('idle', symbol, { state: IDLE_STATE, lastTimestamp: series(1, 1)[0]!.timestamp, events: [] });
  }
  await store.close();
}, 120_000);
afterAll(() => {
  cli?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the intact store, its data file damaged by `damage`. */
function damaged(name: string, damage: (file: string, size: number) => void): string {
  const copy = join(dir, name);
  cpSync(intact, copy, { recursive: true });
  const file = join(copy, 'data.mdb');
  damage(file, statSync(file).size);
  return copy;
}

function overwrite(file: string, at: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
}

/** Deterministic noise. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const PAGE = 4096;

/** `tickflow live` on `store` (a Kafka node whose broker never answers: it runs until killed). */
function live(store: string) {
  const config = join(dir, `${store.split('/').pop()}.mjs`);
  writeFileSync(
    config,
    `export const kafka = { brokers: '127.0.0.1:9', topic: 'candles', groupId: 'damage-test' };
export const strategies = [{ name: 'idle', interval: '1m', getSignal: () => null }];
export const store = ${JSON.stringify(store)};
`,
  );
  const child = spawn(process.execPath, [cli.cli, 'live', '--config', config], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

const DAMAGES: ReadonlyArray<readonly [string, (file: string, size: number) => void, RegExp]> = [
  ['emptied', (f) => truncateSync(f, 0), /data\.mdb is empty/],
  ['truncated to 100 bytes', (f) => truncateSync(f, 100), /is 100 bytes, too short for an LMDB meta page/],
  ['truncated to half', (f, size) => truncateSync(f, Math.floor(size / 2 / PAGE) * PAGE), /but its meta page \(transaction \d+\) needs \d+ .*it was truncated/],
  ['cut mid-page', (f, size) => truncateSync(f, size - 1_000), /it was truncated/],
  ['zeroed', (f, size) => writeFileSync(f, Buffer.alloc(size)), /page 0: not an LMDB meta page \(magic 0x0/],
  ['overwritten with noise', (f, size) => writeFileSync(f, noise(size, 7)), /page 0: not an LMDB meta page/],
  ['second meta page overwritten', (f) => overwrite(f, PAGE, noise(PAGE, 11)), /page 1: not an LMDB meta page/],
  ['every tree page zeroed', (f, size) => overwrite(f, 2 * PAGE, Buffer.alloc(size - 2 * PAGE)), /has no valid tree page at root page \d+/],
];

describe('tickflow live on a damaged store', () => {
  it('starts on the intact store (the control)', async () => {
    const node = live(intact);
    await waitFor(() => /running: candles from Kafka topic/.test(node.stderr()), 'the node to run', 30_000);
    node.child.kill('SIGKILL');
    await node.exited;
    expect(node.stderr()).not.toMatch(/damaged/);
  });

  it.each(DAMAGES)('data file %s: one line saying what is wrong and what to do, exit 2, no signal', async (name, damage, why) => {
    const store = damaged(name.replace(/\W+/g, '-'), damage);
    const before = readFileSync(join(store, 'data.mdb'));
    const node = live(store);
    expect(await node.exited).toEqual({ code: 2, signal: null });
    const lines = node.stderr().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^tickflow: store ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged: `));
    expect(lines[0]).toMatch(why);
    expect(lines[0]).toMatch(/Move the store directory aside .* restore it from a backup, or start with an empty store/);
    // Left exactly as it was, for inspection.
    expect(readFileSync(join(store, 'data.mdb')).equals(before)).toBe(true);
  });
});
