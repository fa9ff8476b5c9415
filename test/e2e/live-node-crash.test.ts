import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { openStore } from '../../src/lmdb.js';
import { Sfc32 } from '../../src/sources/prng.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { at, markets, startLive } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { buildCli, httpGet, readEvents, startNode, type NodeProcess } from './live-node.js';

/*
 * The crash test (SEMANTICS §11): the node runs against the local exchange while the exchange's clock races ahead
 * (a minute of market every CLOCK_MS while a node is alive), is SIGKILLed at 20 points drawn from a seeded generator and restarted each
 * time; the events it delivered across all its lives must be exactly those of an uninterrupted run.
 *
 * Kill points come in three kinds, in turn: a delay after the process started (it may die loading modules, opening
 * the store, re-delivering or warming up), a delay after it started polling, and — through a sink in the config
 * module — at its n-th event, after that event's checkpoint committed but before the events file got it.
 */

const END = 600;
const CLOCK_MS = 60;
const KILLS = 20;
const TRANSITIONS = new Set(['scheduled', 'opened', 'closed', 'cancelled', 'partial_profit', 'partial_loss', 'risk']);

let cli: string;
let removeCli: () => void;
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-live-crash-'));
const running: NodeProcess[] = [];
let server: BinanceServer;
let ticking: NodeJS.Timeout | undefined;

beforeAll(async () => {
  ({ cli, cleanup: removeCli } = await buildCli());
});
afterAll(async () => {
  if (ticking) clearInterval(ticking);
  for (const n of running) if (!n.hasExited()) n.child.kill('SIGKILL');
  await Promise.all(running.map((n) => n.exited));
  await server?.close();
  removeCli?.();
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The lanes' outbox as the store holds it now (the node must not be running). */
async function outbox(path: string): Promise<SignalEvent[]> {
  const store = openStore({ path });
  try {
    return store.checkpoints().flatMap((c) => [...c.checkpoint.events]);
  } finally {
    await store.close();
  }
}

async function lastCandles(port: number): Promise<number[]> {
  const s = JSON.parse((await httpGet(port, '/healthz')).body) as { symbols: Record<string, { lastCandle: number | null }> };
  return Object.values(s.symbols).map((v) => v.lastCandle ?? -1);
}

describe('a live node killed with SIGKILL at 20 random points', () => {
  it('delivers exactly the events of an uninterrupted run: none lost, none opened twice, no partial level again', { timeout: 90_000 }, async () => {
    const started = Date.now();
    server = await startBinanceServer({ now: at(0) + 30_000, from: at(-1000), markets: markets(END) });
    const rng = Sfc32.from('tickflow live crash test', '1');
    const store = join(tmp, 'store');
    const env = { exchange: server.url, store, since: at(0) };
    // The market moves only while a node is alive, so the kills spread over the data whatever the machine's speed.
    ticking = setInterval(() => {
      if (running.some((n) => !n.hasExited())) server.now = Math.min(server.now + 60_000, at(END) + 30_000);
    }, CLOCK_MS);

    const runs: SignalEvent[][] = [];
    const outboxes: SignalEvent[][] = [];
    const kinds: string[] = [];
    for (let i = 0; i <= KILLS; i++) {
      outboxes.push(i === 0 ? [] : await outbox(store));
      const file = join(tmp, `events-${i}.jsonl`);
      const kind = i === KILLS ? 'final' : (['after-start', 'while-polling', 'at-event'] as const)[i % 3]!;
      const crashAt = kind === 'at-event' ? 1 + Math.floor(rng.uniform() * 150) : undefined;
      const n = startNode(cli, { ...env, crashAt }, ['--detach', '--http', '0', '--events', file]);
      running.push(n);
      if (kind === 'after-start') {
        await Promise.race([sleep(300 + rng.uniform() * 2200), n.exited]);
        n.child.kill('SIGKILL');
      } else if (kind === 'while-polling') {
        const delay = rng.uniform() * 700;
        await n.line(/running:/);
        await sleep(delay);
        n.child.kill('SIGKILL');
      } else if (kind === 'at-event') {
        // It kills itself; should the run not reach that many events before the data ends, kill it anyway.
        await Promise.race([n.exited, n.line(/running:/).then(() => sleep(3_000))]);
        n.child.kill('SIGKILL');
      } else {
        const port = await n.port();
        for (;;) {
          if ((await lastCandles(port)).every((t) => t >= at(END - 1))) break;
          await sleep(20);
        }
        n.child.kill('SIGTERM');
      }
      const exit = await n.exited;
      expect(exit, `run ${i} (${kind})`).toEqual(kind === 'final' ? { code: 0, signal: null } : { code: null, signal: 'SIGKILL' });
      runs.push(readEvents(file));
      kinds.push(`${kind}:${runs[i]!.length}@${runs[i]!.length > 0 ? (runs[i]!.at(-1)!.now - at(0)) / 60_000 : '-'}`);
    }
    clearInterval(ticking);

    // The uninterrupted run, in-process (the same strategies and config as the node's config module).
    const t = await tempStore({ noSync: true });
    const whole = startLive(server, t.store, { since: at(0) });
    await whole.processed(END - 1);
    const reference = await whole.finish();
    await t.cleanup();
    expect(reference.filter((e) => e.action === 'closed').length).toBeGreaterThan(40);

    const seen = new Map<string, SignalEvent>();
    let redelivered = 0;
    for (let i = 0; i < runs.length; i++) {
      // Reports about the exchange (strategy '*': a clock read refused while this test's clock races ahead at 1,000×
      // real time) are not deliveries: they may come before the outbox, and are compared to nothing.
      const events = runs[i]!.filter((e) => !(e.action === 'error' && e.strategy === '*'));
      const box = outboxes[i]!;
      // A restarted node first re-delivers its lanes' last checkpointed events, with their original ids.
      const k = Math.min(events.length, box.length);
      expect(events.slice(0, k), `run ${i} re-delivers its outbox first`).toEqual(box.slice(0, k));
      redelivered += k;
      for (const [j, e] of events.entries()) {
        const before = seen.get(e.eventId);
        if (before !== undefined) {
          // Seen before: identical, and a transition only as a re-delivery (no signal opened twice, no level again).
          expect(e).toEqual(before);
          if (TRANSITIONS.has(e.action)) expect(j < k, `run ${i} emitted ${e.eventId} again`).toBe(true);
        }
        seen.set(e.eventId, e);
      }
    }
    expect([...seen.keys()].sort()).toEqual(reference.map((e) => e.eventId).sort());
    for (const e of reference) expect(seen.get(e.eventId)).toEqual(e);
    const opened = [...seen.values()].filter((e) => e.action === 'opened');
    expect(new Set(opened.map((e) => (e.action === 'opened' ? e.signal.id : ''))).size).toBe(opened.length);

    // The kills landed all over: some before the node wrote anything, many in the middle of its work.
    const wrote = runs.slice(0, KILLS).map((r, i) => r.length - Math.min(r.length, outboxes[i]!.length));
    expect(wrote.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(wrote.filter((n) => n > 0).length).toBeGreaterThan(KILLS / 2);
    console.log(
      `crash test: ${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(1)} s; events per run ${kinds.join(' ')}; ` +
        `${redelivered} re-delivered, ${reference.length} distinct`,
    );
  });
});
