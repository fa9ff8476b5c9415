import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { Sfc32 } from '../../src/sources/prng.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { waitFor } from '../support/collect.js';
import { at, markets, startLive } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { buildCli, readEvents, startNode, type NodeProcess } from './live-node.js';
import { lastClock, paceExchange, storeOutbox } from './crash-pace.js';

/*
 * The crash test (SEMANTICS §11): the node runs against the local exchange, is SIGKILLed at 20 points drawn from a
 * seeded generator and restarted each time; the events it delivered across all its lives must be exactly those of
 * an uninterrupted run.
 *
 * Nothing here depends on how fast the machine is. The exchange's clock moves only when the node has caught up
 * with it (a few minutes at a time), and between two lives (up to half an hour: a backlog to catch up); every kill
 * point is a condition the test waits for:
 *   after-start    while it starts: while loading its config module (it kills itself: certainly before writing
 *                  anything), as soon as it was spawned, or when it logs that it resumed or runs;
 *   while-polling  once it wrote some new events to its file;
 *   at-event       at its n-th event, after that event's checkpoint committed but before the events file got it
 *                  (through a sink in the config module), n past its re-delivered outbox.
 * Should the data end before a kill point is reached, the node is killed once it processed the last minute.
 */

const END = 600;
const KILLS = 20;
const TRANSITIONS = new Set(['scheduled', 'opened', 'closed', 'cancelled', 'partial_profit', 'partial_loss', 'risk']);

let cli: string;
let removeCli: () => void;
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-live-crash-'));
const running: NodeProcess[] = [];
let server: BinanceServer;

beforeAll(async () => {
  ({ cli, cleanup: removeCli } = await buildCli());
});
afterAll(async () => {
  for (const n of running) if (!n.hasExited()) n.child.kill('SIGKILL');
  await Promise.all(running.map((n) => n.exited));
  await server?.close();
  removeCli?.();
  rmSync(tmp, { recursive: true, force: true });
});

/** Resolves when `condition` holds, the node processed the last minute, or it exited. */
async function until(n: NodeProcess, done: { end: boolean }, condition: () => boolean): Promise<void> {
  await waitFor(() => n.hasExited() || done.end || condition(), 'a kill point, the last minute or an exit', 120_000);
}

describe('a live node killed with SIGKILL at 20 random points', () => {
  it('delivers exactly the events of an uninterrupted run: none lost, none opened twice, no partial level again', { timeout: 90_000 }, async () => {
    const started = Date.now();
    server = await startBinanceServer({ now: at(1) + 30_000, from: at(-1000), markets: markets(END) });
    const rng = Sfc32.from('tickflow live crash test', '2');
    const store = join(tmp, 'store');
    const env = { exchange: server.url, store, since: at(0) };

    const runs: SignalEvent[][] = [];
    const outboxes: SignalEvent[][] = [];
    const kinds: string[] = [];
    for (let i = 0; i <= KILLS; i++) {
      const box = i === 0 ? [] : await storeOutbox(store);
      outboxes.push(box);
      // The market moved on while the node was down: a backlog for this life to catch up.
      server.now = Math.min(server.now + Math.floor(rng.uniform() * 30) * 60_000, lastClock(END));
      const file = join(tmp, `events-${i}.jsonl`);
      const kind = i === KILLS ? 'final' : (['after-start', 'while-polling', 'at-event'] as const)[i % 3]!;
      // The first start-up kill is during the config module's load: one life that certainly wrote nothing.
      const when = kind === 'after-start' ? (i === 0 ? 'load' : (['spawned', 'resumed', 'running', 'load'] as const)[Math.floor(rng.uniform() * 4)]!) : null;
      const crashAt = kind === 'at-event' ? box.length + 2 + Math.floor(rng.uniform() * 120) : undefined;
      const n = startNode(cli, { ...env, crashAt, crashOnLoad: when === 'load' }, ['--detach', '--http', '0', '--events', file]);
      running.push(n);
      const done = { end: false };
      // Its own generator: how many steps the clock takes before a kill must not shift the kill points drawn here.
      const clockRng = Sfc32.from('tickflow live crash test', 'clock', String(i));
      // The clock moves on by 1–3 minutes at a time.
      const paced = paceExchange(n, server, END, () => 1 + Math.floor(clockRng.uniform() * 3), done);
      // Whole lines only: the node may be in the middle of writing one.
      const wrote = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0);
      if (kind === 'after-start') {
        if (when === 'resumed') await Promise.race([n.line(/resumed \d+ lane/), n.exited]).catch(() => undefined);
        if (when === 'running') await Promise.race([n.line(/running:/), n.exited]).catch(() => undefined);
        if (when !== 'load') n.child.kill('SIGKILL');
      } else if (kind === 'while-polling') {
        const k = box.length + 1 + Math.floor(rng.uniform() * 80);
        await until(n, done, () => wrote() >= k);
        n.child.kill('SIGKILL');
      } else if (kind === 'at-event') {
        // It kills itself; should the data end first, kill it then.
        await until(n, done, () => false);
        n.child.kill('SIGKILL');
      } else {
        await until(n, done, () => false);
        n.child.kill('SIGTERM');
      }
      const exit = await n.exited;
      await paced;
      expect(exit, `run ${i} (${kind}${when ? `:${when}` : ''})`).toEqual(kind === 'final' ? { code: 0, signal: null } : { code: null, signal: 'SIGKILL' });
      runs.push(readEvents(file));
      kinds.push(`${kind}${when ? `:${when}` : ''}:${runs[i]!.length}@${runs[i]!.length > 0 ? (runs[i]!.at(-1)!.now - at(0)) / 60_000 : '-'}`);
    }

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
    expect(wrote[0]).toBe(0);
    expect(wrote.filter((n, i) => n > 0 && i % 3 !== 0).length).toBeGreaterThan(KILLS / 2);
    console.log(
      `crash test: ${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(1)} s; events per run ${kinds.join(' ')}; ` +
        `${redelivered} re-delivered, ${reference.length} distinct`,
    );
  });
});
