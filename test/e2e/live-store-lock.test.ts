/**
 * The store lock of `tickflow live` across PID namespaces (containers sharing a volume): each node runs in a fresh
 * namespace where it is pid 1, as in a container. Real processes, a real store directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/collect.js';
import { buildCli, ROOT } from './live-node.js';

// `unshare --pid` needs root (or user namespaces); where it is refused the test is skipped and says why.
const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'true'], { encoding: 'utf8' });
const refused = probe.error ? probe.error.message : probe.status !== 0 ? (probe.stderr.trim() || `exit ${probe.status}`) : null;
if (refused !== null) console.log(`live-store-lock: skipped, unshare --pid is not permitted here: ${refused}`);

interface Proc {
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly kill: (signal: NodeJS.Signals) => void;
  line(pattern: RegExp): Promise<void>;
}

let cli: { cli: string; cleanup: () => void };
const dir = mkdtempSync(join(tmpdir(), 'tickflow-lock-'));
const store = join(dir, 'store');
const config = join(dir, 'node.mjs');
const running: Proc[] = [];

beforeAll(async () => {
  cli = await buildCli();
  // A Kafka node whose broker never answers: it keeps retrying (and holding its store) until it is killed.
  writeFileSync(
    config,
    `export const kafka = { brokers: '127.0.0.1:9', topic: 'candles', groupId: 'lock-test' };
export const strategies = [{ name: 'idle', interval: '1m', getSignal: () => null }];
export const store = ${JSON.stringify(store)};
`,
  );
}, 120_000);
afterAll(() => {
  for (const p of running) p.kill('SIGKILL');
  cli?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** `tickflow live` in a PID namespace of its own (`inNamespace`), or in this one. */
function live(inNamespace: boolean, env: NodeJS.ProcessEnv = process.env): Proc {
  const node = [process.execPath, cli.cli, 'live', '--config', config];
  const [command, ...args] = inNamespace ? ['/usr/bin/env', 'unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...node] : node;
  const child = spawn(command!, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env });
  const lines: string[] = [];
  let tail = '';
  let done = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (tail + chunk).split('\n');
    tail = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      if (tail !== '') lines.push(tail);
      resolve({ code, signal });
    }),
  );
  const proc: Proc = {
    lines,
    exited,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
    line: (pattern) =>
      waitFor(
        () => {
          if (lines.some((l) => pattern.test(l))) return true;
          if (done) throw new Error(`exited before printing ${pattern}:\n${lines.join('\n')}`);
          return false;
        },
        `a line matching ${pattern}`,
        30_000,
      ),
  };
  running.push(proc);
  return proc;
}

describe.skipIf(refused !== null)('tickflow live store lock', () => {
  it('holds across PID namespaces, refuses a second node in one line (exit 2), and dies with its holder', async () => {
    const first = live(true);
    await first.line(/running: candles from Kafka topic candles/);

    // Another "container": pid 1 there too, which a pid file would take for itself.
    const second = live(true);
    const outcome = await Promise.race([second.exited, second.line(/running:/).then(() => 'took the lock')]);
    expect(outcome).toEqual({ code: 2, signal: null });
    expect(second.lines).toEqual([expect.stringMatching(/^tickflow: store .*store is in use by another tickflow live node \(pid 1 on .*\); stop it first/)]);
    // And from the host's namespace.
    const third = live(false);
    expect(await third.exited).toEqual({ code: 2, signal: null });
    expect(third.lines).toHaveLength(1);

    // The second's exit left the first's lock alone: still refused.
    const fourth = live(true);
    expect((await fourth.exited).code).toBe(2);

    // The holder is killed (no clean-up of its own): the kernel releases the lock, and the next node takes it.
    first.kill('SIGKILL');
    await first.exited;
    const next = live(true);
    await next.line(/running: candles from Kafka topic candles/);
    next.kill('SIGKILL');
    await next.exited;
  });

  it('takes the same lock through perl where the flock utility is missing', async () => {
    // A PATH with perl and unshare but no flock.
    const bin = join(dir, 'bin-without-flock');
    const which = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    const perl = which('perl');
    if (perl === '') return console.log('live-store-lock: perl case skipped: perl is not installed');
    mkdirSync(bin, { recursive: true });
    for (const [name, path] of [['perl', perl], ['unshare', which('unshare')]] as const) symlinkSync(path, join(bin, name));
    const first = live(true, { ...process.env, PATH: bin });
    await first.line(/running: candles from Kafka topic candles/);
    const second = live(true); // with flock
    const outcome = await Promise.race([second.exited, second.line(/running:/).then(() => 'took the lock')]);
    expect(outcome).toEqual({ code: 2, signal: null });
    expect(second.lines[0]).toMatch(/is in use by another tickflow live node/);
    first.kill('SIGKILL');
    await first.exited;
  });
});
