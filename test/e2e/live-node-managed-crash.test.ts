import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { waitFor } from '../support/collect.js';
import { at, markets, startLive } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { managedStrategies } from './fixtures/managed-strategies.mjs';
import { buildCli, readEvents, spawnLive, type NodeProcess } from './live-node.js';
import { lastClock, paceExchange, storeOutbox } from './crash-pace.js';

/*
 * Crash test of managed positions (SEMANTICS §11, §13): a live node whose signals trail their stops, move to breakeven
 * and are closed in parts by `manage` is SIGKILLed in the middle of its trades and restarted. A restarted lane keeps
 * trailing from the peak it had (its stop moves are exactly an uninterrupted run's) and never emits a stop_moved or
 * partial_closed again, except as the re-delivery of its last checkpoint's outbox.
 *
 * As in live-node-crash.test.ts, the exchange's clock moves only once the node has caught up with it, and every kill
 * point is a condition waited for (the node kills itself at its n-th event, after that event's checkpoint committed).
 */

const CONFIG = resolve(__dirname, 'fixtures/live-node-managed.mjs');
const END = 240;
/** The event counts (past each life's re-delivered outbox) at which the node kills itself. */
const KILL_AFTER = [60, 150, 90, 210, 120, 75];
const MANAGED = new Set(['stop_moved', 'take_moved', 'partial_closed']);
const TRANSITIONS = new Set(['scheduled', 'opened', 'closed', 'cancelled', 'partial_profit', 'partial_loss', 'risk', ...MANAGED]);

let cli: string;
let removeCli: () => void;
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-managed-crash-'));
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

describe('a live node with managed positions killed with SIGKILL mid-trade', () => {
  it('keeps trailing from the same peak and never emits a stop_moved or partial_closed twice', { timeout: 120_000 }, async () => {
    server = await startBinanceServer({ now: at(1) + 30_000, from: at(-1000), markets: markets(END) });
    const store = join(tmp, 'store');
    const runs: SignalEvent[][] = [];
    const outboxes: SignalEvent[][] = [];
    for (let i = 0; i <= KILL_AFTER.length; i++) {
      const box = i === 0 ? [] : await storeOutbox(store);
      outboxes.push(box);
      const file = join(tmp, `events-${i}.jsonl`);
      const final = i === KILL_AFTER.length;
      const n = spawnLive(cli, CONFIG, ['--detach', '--http', '0', '--events', file], {
        TICKFLOW_TEST_EXCHANGE: server.url,
        TICKFLOW_TEST_STORE: store,
        TICKFLOW_TEST_SINCE: String(at(0)),
        TICKFLOW_TEST_CRASH_AT: final ? '0' : String(box.length + KILL_AFTER[i]!),
        TICKFLOW_TEST_CRASH_ON_LOAD: '',
      });
      running.push(n);
      const done = { end: false };
      // The clock moves on by 2 minutes at a time.
      const paced = paceExchange(n, server, END, () => 2, done);
      await waitFor(() => n.hasExited() || done.end, 'a kill point, the last minute or an exit', 120_000);
      n.child.kill(final ? 'SIGTERM' : 'SIGKILL');
      const exit = await n.exited;
      await paced;
      expect(exit, `run ${i}`).toEqual(final ? { code: 0, signal: null } : { code: null, signal: 'SIGKILL' });
      runs.push(readEvents(file));
    }

    // The uninterrupted run, in-process, with the same strategies and config.
    const t = await tempStore({ noSync: true });
    const whole = startLive(server, t.store, { since: at(0), strategies: managedStrategies });
    await whole.processed(END - 1);
    const reference = (await whole.finish()).filter((e) => !(e.action === 'error' && e.strategy === '*'));
    await t.cleanup();
    for (const action of ['stop_moved', 'partial_closed']) expect(reference.some((e) => e.action === action), action).toBe(true);
    expect(reference.some((e) => e.action === 'closed' && e.closeReason === 'trailing_stop')).toBe(true);

    const seen = new Map<string, SignalEvent>();
    /** Signals open (with a moved stop or a part closed) when a life was killed, and closed by a later life. */
    const acrossKill = new Set<string>();
    const touched = new Map<string, number>();
    for (let i = 0; i < runs.length; i++) {
      const events = runs[i]!.filter((e) => !(e.action === 'error' && e.strategy === '*'));
      const box = outboxes[i]!;
      const k = Math.min(events.length, box.length);
      expect(events.slice(0, k), `run ${i} re-delivers its outbox first`).toEqual(box.slice(0, k));
      for (const [j, e] of events.entries()) {
        const before = seen.get(e.eventId);
        if (before !== undefined) {
          expect(e).toEqual(before);
          if (TRANSITIONS.has(e.action)) expect(j < k, `run ${i} emitted ${e.eventId} again`).toBe(true);
        }
        seen.set(e.eventId, e);
        if (MANAGED.has(e.action) && j >= k && 'signal' in e) touched.set(`${e.strategy}|${e.signal.id}`, i);
        if (e.action === 'closed' && j >= k && (touched.get(`${e.strategy}|${e.signal.id}`) ?? i) < i) acrossKill.add(e.signal.id);
      }
    }
    // Every stop move, part and close of the uninterrupted run, with the same prices: the peak survived the kills.
    expect([...seen.keys()].sort()).toEqual(reference.map((e) => e.eventId).sort());
    for (const e of reference) expect(seen.get(e.eventId)).toEqual(e);
    // The kills did land inside managed trades.
    expect(acrossKill.size).toBeGreaterThan(0);
  });
});
