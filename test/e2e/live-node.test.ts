import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { openStore } from '../../src/lmdb.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { at, markets, startLive } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { buildCli, httpGet, readEvents, ROOT, startNode, type NodeProcess } from './live-node.js';
import { spawnSync } from 'node:child_process';
import { deferredCleanups } from '../support/cleanups.js';

const END = 200;
const closedBefore = (m: number) => at(m) + 30_000;

let cli: string;
let removeCli: () => void;
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-live-node-'));

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
  defer(async () => {
    expect(server.strays()).toEqual([]);
    await server.close();
  });
  return server;
}

function node(server: BinanceServer, store: string, args: readonly string[]): NodeProcess {
  const n = startNode(cli, { exchange: server.url, store, since: at(0) }, args);
  // Never leave a node behind, whatever the test did.
  defer(async () => {
    if (!n.hasExited()) n.child.kill('SIGKILL');
    await n.exited;
  });
  return n;
}

async function status(port: number): Promise<Record<string, any>> {
  return JSON.parse((await httpGet(port, '/healthz')).body);
}

/** Waits until the node's lanes were handed minute `m` of every symbol (read from /healthz). */
async function processed(port: number, m: number): Promise<Record<string, any>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await status(port);
    if (Object.values(s.symbols as Record<string, { lastCandle: number | null }>).every((v) => (v.lastCandle ?? -1) >= at(m))) return s;
    if (Date.now() > deadline) throw new Error(`minute ${m} not processed: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The same strategies in-process, uninterrupted: what the node's events must add up to. */
async function reference(server: BinanceServer, until: number): Promise<SignalEvent[]> {
  const t = await tempStore({ noSync: true });
  defer(t.cleanup);
  const run = startLive(server, t.store, { since: at(0) });
  await run.processed(until - 1);
  return run.finish();
}

function heldSignals(events: readonly SignalEvent[]): Set<string> {
  const held = new Set<string>();
  for (const e of events) {
    if (e.action === 'scheduled' || e.action === 'opened') held.add(e.signal.id);
    if (e.action === 'closed' || e.action === 'cancelled') held.delete(e.signal.id);
  }
  return held;
}

describe('tickflow live (the node)', () => {
  it('serves /healthz and /metrics; with --detach, SIGTERM exits 0 leaving positions open, and the next start closes them', async () => {
    const server = await exchange(closedBefore(100));
    const store = join(tmp, 'detach');
    const first = node(server, store, ['--detach', '--http', '0', '--events', join(tmp, 'detach-1.jsonl')]);
    const port = await first.port();
    await first.line(/running: BTC\/USDT, ETH\/USDT 1m on binance, trend, dip/);
    const health = await processed(port, 99);
    expect(health).toMatchObject({
      phase: 'running',
      candlesProcessed: 200,
      warmupCandles: 240,
      errors: 0,
      symbols: { 'BTC/USDT': { candles: 100, lastCandle: at(99) }, 'ETH/USDT': { candles: 100, lastCandle: at(99) } },
    });
    expect(health.symbols['BTC/USDT'].lastCandleAgeSeconds).toBeGreaterThan(0);
    const before = readEvents(join(tmp, 'detach-1.jsonl'));
    const open = heldSignals(before);
    expect(open.size).toBeGreaterThan(0);
    expect(health.openPositions + health.scheduledSignals).toBe(open.size);
    expect(health.events.opened).toBe(before.filter((e) => e.action === 'opened').length);

    const metrics = await httpGet(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = metrics.body.split('\n');
    expect(lines).toContain('# TYPE tickflow_candles_processed_total counter');
    expect(lines).toContain('tickflow_candles_processed_total{symbol="BTC/USDT"} 100');
    expect(lines).toContain(`tickflow_events_total{action="opened"} ${health.events.opened}`);
    expect(lines).toContain(`tickflow_open_positions ${health.openPositions}`);
    expect(lines).toContain('tickflow_errors_total 0');
    expect(lines).toContain('tickflow_up{phase="running"} 1');
    expect(lines.some((l) => /^tickflow_last_candle_age_seconds\{symbol="ETH\/USDT"\} \d+(\.\d+)?$/.test(l))).toBe(true);
    // Every sample line is `name{labels} value` under a TYPE line of its family.
    for (const l of lines.filter((x) => x !== '' && !x.startsWith('#'))) expect(l).toMatch(/^tickflow_[a-z_]+(\{[a-z]+="[^"]*"\})? -?[\d.]+(e[+-]?\d+)?$/);
    expect((await httpGet(port, '/nope')).status).toBe(404);
    expect((await httpGet(port, '/healthz', 'POST')).status).toBe(405);

    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.lines.join('\n')).toMatch(/SIGTERM: detaching/);
    const s = openStore({ path: store });
    const lanes = s.checkpoints();
    await s.close();
    expect(lanes.filter((c) => c.checkpoint.state.signal !== null).length).toBe(open.size);
    for (const c of lanes) expect(c.checkpoint.lastTimestamp).toBe(at(99));

    server.now = closedBefore(END);
    const second = node(server, store, ['--detach', '--http', '0', '--events', join(tmp, 'detach-2.jsonl')]);
    await processed(await second.port(), END - 1);
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const after = readEvents(join(tmp, 'detach-2.jsonl'));
    for (const id of open) expect(after.some((e) => (e.action === 'closed' || e.action === 'cancelled') && e.signal.id === id)).toBe(true);

    const whole = await reference(server, END);
    const byId = new Map([...before, ...after].map((e) => [e.eventId, e]));
    expect([...byId.keys()].sort()).toEqual(whole.map((e) => e.eventId).sort());
    for (const e of whole) expect(byId.get(e.eventId)).toEqual(e);
  });

  it('SIGTERM drains: no new signals, open ones monitored until they close, then exit 0', async () => {
    const server = await exchange(closedBefore(100));
    const store = join(tmp, 'drain');
    const events = join(tmp, 'drain.jsonl');
    const n = node(server, store, ['--http', '0', '--events', events]);
    await processed(await n.port(), 99);
    const before = readEvents(events);
    const open = heldSignals(before);
    expect(open.size).toBeGreaterThan(0);
    n.child.kill('SIGTERM');
    await n.line(/SIGTERM: draining — no new signals; monitoring \d+ open position\(s\) and \d+ scheduled signal\(s\)/);
    // It does not exit while something is open: only once the market moves on and they resolve.
    expect(n.hasExited()).toBe(false);
    server.now = closedBefore(END);
    expect(await n.exited).toEqual({ code: 0, signal: null });
    const all = readEvents(events);
    const later = all.slice(before.length);
    for (const e of later) if ('signal' in e) expect(open).toContain(e.signal.id);
    expect(heldSignals(all).size).toBe(0);
    expect(n.lines.join('\n')).toMatch(/stopped \(0 open position\(s\) left in the store\)/);
    const s = openStore({ path: store });
    expect(s.checkpoints().every((c) => c.checkpoint.state.signal === null)).toBe(true);
    await s.close();
  });

  it('reports a bad command line or config module in one line, exit code 2', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [cli, 'live', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    let r = run([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tickflow: --config: is required (an ES module describing the node: see the README, Live trading)\n');
    r = run(['--config', 'x.mjs', '--http', 'eighty']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tickflow: --http: expected a port number/);
    const bad = join(tmp, 'bad.mjs');
    writeFileSync(bad, "export const symbols = ['BTC/USDT'];\nexport const stratgies = [];\nexport const store = 'x';\n");
    r = run(['--config', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/live config .*bad\.mjs: .*'exchange': give an exchange \(ccxt\) or a kafka candle source.*unknown key\(s\) 'stratgies'/);
    // A Kafka node: the source's keys are checked too, and what only an exchange node takes is named.
    const kafka = join(tmp, 'kafka.mjs');
    writeFileSync(
      kafka,
      "export const kafka = { brokers: 'localhost', topic: 'candles', groupId: 'g' };\n" +
        "export const strategies = [{ name: 's', interval: '1m', getSignal: () => null }];\n" +
        "export const risk = [{ name: 'r', maxConcurrentPositions: 1 }];\nexport const store = 'x';\n",
    );
    r = run(['--config', kafka]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/'risk': a risk profile needs an exchange node.*'kafka\.brokers\.0': expected host:port/);
    expect(run(['--help']).stdout).toMatch(/^usage: tickflow live --config FILE \[--detach\] \[--http PORT\] \[--events FILE\|-\]/);
  });
});
