/**
 * Running `tickflow live` as a child process: the CLI is built from the current sources into a private directory
 * (inside the repository so its bare imports resolve to node_modules; never dist/, which other runs may be
 * rebuilding), then started, watched through its stderr and its events file, signalled and killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { build } from 'tsup';
import { SignalEventSchema, type SignalEvent } from '../../src/core/events.js';
import { waitFor } from '../support/collect.js';

export const ROOT = resolve(__dirname, '../..');
export const FIXTURE = resolve(__dirname, 'fixtures/live-node.mjs');

/** Builds the CLI from src/ (about 0.3 s); `cleanup` removes it. */
export async function buildCli(): Promise<{ cli: string; cleanup: () => void }> {
  const cache = resolve(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, 'tickflow-live-e2e-'));
  await build({
    entry: { 'cli/main': resolve(ROOT, 'src/cli/main.ts') },
    outDir,
    format: ['esm'],
    target: 'node20',
    silent: true,
    config: false,
    sourcemap: false,
    clean: false,
  });
  return { cli: join(outDir, 'cli/main.js'), cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
}

export interface NodeProcess {
  readonly child: ChildProcess;
  /** stderr so far, line by line. */
  readonly lines: string[];
  /** Resolves with the exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly hasExited: () => boolean;
  /** Waits until a stderr line matches; returns the match. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The port of `--http 0`, once it is listening. */
  port(): Promise<number>;
}

export interface NodeEnv {
  readonly exchange: string;
  readonly store: string;
  readonly since: number;
  readonly crashAt?: number;
  /** Kill the node while it loads its config module. */
  readonly crashOnLoad?: boolean;
}

/** Starts `tickflow live --config <fixture> …args` with the fixture's parameters in its environment. */
export function startNode(cli: string, env: NodeEnv, args: readonly string[]): NodeProcess {
  return spawnLive(cli, FIXTURE, args, {
    TICKFLOW_TEST_EXCHANGE: env.exchange,
    TICKFLOW_TEST_STORE: env.store,
    TICKFLOW_TEST_SINCE: String(env.since),
    TICKFLOW_TEST_CRASH_AT: String(env.crashAt ?? 0),
    TICKFLOW_TEST_CRASH_ON_LOAD: env.crashOnLoad ? '1' : '',
  });
}

/** Starts `tickflow live --config <config> …args` with `env` added to this process's environment. */
export function spawnLive(cli: string, config: string, args: readonly string[], env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, [cli, 'live', '--config', config, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let tail = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    tail += chunk;
    const parts = tail.split('\n');
    tail = parts.pop()!;
    lines.push(...parts);
  });
  child.stdout!.resume();
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => {
      done = true;
      if (tail !== '') lines.push(tail);
      res({ code, signal });
    }),
  );
  const line = async (pattern: RegExp, timeoutMs = 20_000) => {
    let match: RegExpMatchArray | null = null;
    await waitFor(
      () => {
        for (const l of lines) if ((match = l.match(pattern))) return true;
        if (done) throw new Error(`the node exited before printing ${pattern}:\n${lines.join('\n')}`);
        return false;
      },
      `a line matching ${pattern}`,
      timeoutMs,
    );
    return match!;
  };
  return {
    child,
    lines,
    exited,
    hasExited: () => done,
    line,
    port: async () => Number((await line(/status on http:\/\/127\.0\.0\.1:(\d+)/))[1]),
  };
}

/** The events a run appended to its file (none if it never wrote one). */
export function readEvents(path: string): SignalEvent[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // Whole lines only: a running node may be in the middle of writing the last one (each line is one write()).
  return text
    .split('\n')
    .slice(0, -1)
    .filter((l) => l !== '')
    .map((l) => SignalEventSchema.parse(JSON.parse(l)) as SignalEvent);
}

/** A request to the node's status endpoint, on a fresh connection (a kept-alive one may belong to an older node). */
export function httpGet(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? null, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
