import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { openStore } from '../../src/lmdb.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { deferredCleanups } from '../support/cleanups.js';
import { waitFor, waitForValue } from '../support/collect.js';
import { at, markets } from '../support/live-harness.js';
import { buildCli, FIXTURE, httpGet, readEvents, ROOT, startNode, type NodeProcess } from './live-node.js';

const END = 200;
const closedBefore = (m: number) => at(m) + 30_000;

let cli: string;
let removeCli: () => void;
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-live-faults-'));

beforeAll(async () => {
  ({ cli, cleanup: removeCli } = await buildCli());
});
afterAll(() => {
  removeCli?.();
  rmSync(tmp, { recursive: true, force: true });
});

const defer = deferredCleanups();

async function exchange(now: number): Promise<BinanceServer> {
  const server = await startBinanceServer({ now, from: at(-1000), markets: markets(END) });
  defer(() => server.close());
  return server;
}

function node(url: string, store: string, args: readonly string[]): NodeProcess {
  const n = startNode(cli, { exchange: url, store, since: at(0) }, args);
  defer(async () => {
    if (!n.hasExited()) n.child.kill('SIGKILL');
    await n.exited;
  });
  return n;
}

/** A port nothing listens on: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs `tickflow live` with the fixture to completion (for mistakes it must refuse at once). */
function runOnce(store: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, 'live', '--config', FIXTURE], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TICKFLOW_TEST_EXCHANGE: 'http://127.0.0.1:9', TICKFLOW_TEST_STORE: store, TICKFLOW_TEST_SINCE: String(at(0)), ...env },
  });
}

type Health = { phase: string; symbols: Record<string, { lastCandle: number | null }> };

/** Polls the node's /healthz until `ok` holds of it; returns that status. */
async function until(port: number, ok: (h: Health) => boolean, what: string): Promise<Health> {
  let last: Health | undefined;
  const probe = async () => {
    last = JSON.parse((await httpGet(port, '/healthz')).body) as Health;
    return ok(last) ? last : undefined;
  };
  return waitForValue(probe, () => `${what}: ${JSON.stringify(last)}`, 30_000, 10);
}

const processedUpTo = (m: number) => (h: Health) => Object.values(h.symbols).length > 0 && Object.values(h.symbols).every((s) => (s.lastCandle ?? -1) >= at(m));

function heldSignals(events: readonly SignalEvent[]): Set<string> {
  const held = new Set<string>();
  for (const e of events) {
    if (e.action === 'scheduled' || e.action === 'opened') held.add(e.signal.id);
    if (e.action === 'closed' || e.action === 'cancelled') held.delete(e.signal.id);
  }
  return held;
}

describe('tickflow live under faults around it', () => {
  it('keeps running when its stderr pipe closes: SIGTERM then drains every open position and exits 0', async () => {
    const server = await exchange(closedBefore(100));
    const events = join(tmp, 'stderr-closed.jsonl');
    const n = node(server.url, join(tmp, 'stderr-closed'), ['--http', '0', '--events', events]);
    const port = await n.port();
    await until(port, processedUpTo(99), 'minute 99 processed');
    expect(heldSignals(readEvents(events)).size).toBeGreaterThan(0);
    // What `tickflow live … 2>&1 | tee log` and Ctrl-C do to the node's stderr: its reader is gone.
    n.child.stderr!.destroy();
    n.child.kill('SIGTERM');
    // Draining: the node is still there and answering, with every later log line failing with EPIPE.
    await until(port, (h) => h.phase === 'draining', 'the drain');
    expect(n.hasExited()).toBe(false);
    server.now = closedBefore(END);
    expect(await n.exited).toEqual({ code: 0, signal: null });
    expect(heldSignals(readEvents(events)).size).toBe(0);
  });

  it('logs the phases once and each trade opened and closed once, not a line per closed signal', async () => {
    const server = await exchange(closedBefore(100));
    const events = join(tmp, 'log.jsonl');
    const n = node(server.url, join(tmp, 'log'), ['--http', '0', '--events', events, '--detach']);
    const port = await n.port();
    await until(port, processedUpTo(99), 'minute 99 processed');
    expect(readEvents(events).filter((e) => e.action === 'closed').length).toBeGreaterThan(2);
    n.child.kill('SIGTERM');
    expect(await n.exited).toEqual({ code: 0, signal: null });
    const all = readEvents(events);
    const lines = n.lines;
    expect(lines.filter((l) => /running:/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /warming up/.test(l))).toHaveLength(1);
    const opened = all.filter((e) => e.action === 'opened');
    const closed = all.filter((e) => e.action === 'closed');
    expect(lines.filter((l) => /^tickflow live: opened /.test(l))).toHaveLength(opened.length);
    expect(lines.filter((l) => /^tickflow live: closed /.test(l))).toHaveLength(closed.length);
    const first = opened[0]!;
    expect(lines).toContain(
      `tickflow live: opened ${first.strategy} ${first.symbol} ${first.signal.position} at ${String(Number(first.signal.priceOpen.toPrecision(8)))} ` +
        `(take-profit ${String(Number(first.signal.priceTakeProfit.toPrecision(8)))}, stop-loss ${String(Number(first.signal.priceStopLoss.toPrecision(8)))})`,
    );
    expect(lines.some((l) => new RegExp(`^tickflow live: closed ${closed[0]!.strategy} ${closed[0]!.symbol.replace('/', '\\/')} (long|short) by (take_profit|stop_loss|time_expired) at [\\d.]+: [+-]\\d+\\.\\d\\d %$`).test(l))).toBe(true);
  });

  for (const fault of ['refused', 'hanging'] as const) {
    it(`stops on SIGTERM during start-up while the exchange is ${fault}, leaving the store as it was`, async () => {
      let url: string;
      let asked: () => boolean;
      if (fault === 'refused') {
        url = `http://127.0.0.1:${await closedPort()}`;
        asked = () => true;
      } else {
        const server = await exchange(closedBefore(100));
        server.inject({ kind: 'hang' }, { path: '/api/v3/time', times: 1_000 });
        url = server.url;
        asked = () => server.requests.some((r) => r.path === '/api/v3/time');
      }
      const store = join(tmp, `startup-${fault}`);
      const n = node(url, store, []);
      // Refused: the first failure is reported; hanging: the clock was asked and no answer will come.
      if (fault === 'refused') await n.line(/error: .*(ECONNREFUSED|NetworkError|fetch failed|connect)/i);
      else await waitFor(asked, 'the clock request');
      n.child.kill('SIGTERM');
      expect(await n.exited).toEqual({ code: 0, signal: null });
      expect(n.lines.join('\n')).toMatch(/stopped during start-up, before any lane was restored/);
      const s = openStore({ path: store });
      expect(s.checkpoints()).toEqual([]);
      await s.close();
    });
  }

  it('stops on SIGTERM during warm-up while every candle request fails (nothing open: the drain is done at once)', async () => {
    const server = await exchange(closedBefore(100));
    server.inject({ kind: 'status', status: 503 }, { times: 100_000 });
    const n = node(server.url, join(tmp, 'warmup-failing'), []);
    await n.line(/warming up/);
    await n.line(/error: .*503|error: .*ExchangeNotAvailable|error: .*unknown error/i);
    n.child.kill('SIGTERM');
    expect(await n.exited).toEqual({ code: 0, signal: null });
    expect(n.lines.join('\n')).toMatch(/stopped \(0 open position\(s\) left in the store\)/);
  });

  it('refuses a store written at another interval in one line naming both, exit code 2', async () => {
    const path = join(tmp, 'at-1m');
    const s = openStore({ path });
    s.bindInterval('1m');
    await s.close();
    const r = runOnce(path, { TICKFLOW_TEST_INTERVAL: '5m' });
    expect(r.stderr).toBe(
      `tickflow: store ${path} was written by a node on 1m candles; this node runs on 5m: give it another store (its lanes, checkpoints and cached candles are 1m)\n`,
    );
    expect(r.status).toBe(2);
  });

  it('refuses a store path that is a file, or on a read-only file system, in one line, exit code 2', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a store\n');
    let r = runOnce(file);
    expect(r.stderr).toBe(`tickflow: store ${file}: is a file; the store is a directory (give the path of a directory, or of one to create)\n`);
    expect(r.status).toBe(2);

    r = runOnce(join(file, 'store'));
    expect(r.stderr).toMatch(/^tickflow: store .*a-file\/store: cannot be used: a part of the path is a file, not a directory\n$/);
    expect(r.status).toBe(2);

    // Read-only: a read-only mount where we may make one (root ignores permission bits), else a directory without write permission.
    const ro = join(tmp, 'read-only');
    mkdirSync(ro);
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]).status === 0;
    if (mounted) defer(() => void spawnSync('umount', [ro]));
    else chmodSync(ro, 0o555);
    r = runOnce(join(ro, 'store'));
    expect(r.stderr).toMatch(new RegExp(`^tickflow: store .*read-only/store: cannot be created: (on a read-only file system|not writable by this user)\\n$`));
    expect(r.status).toBe(2);
  });
});
