/**
 * The exchange-fault soak (run by bench/soak-exchange.mjs, which bundles this file): a reference node on the local
 * exchange and a node behind the fault proxy, both from minute 0, polled minute by minute to `minutes` past the
 * restart while a seeded random mix of the survivable faults hits the proxied node. Ends with both nodes' events
 * compared (errors apart); every fault injected must have been reported.
 */
import { isDeepStrictEqual } from 'node:util';
import type { SignalEvent } from '../src/core/events.js';
import { Sfc32 } from '../src/sources/prng.js';
import { startBinanceServer } from '../test/support/binance-server.js';
import { startFaultProxy, type ProxyFault } from '../test/support/fault-proxy.js';
import { at, markets, startLive } from '../test/support/live-harness.js';
import { tempStore } from '../test/support/temp-store.js';

export interface SoakOptions {
  /** Minutes polled after the restart (two symbols: twice as many candles). */
  readonly minutes: number;
  readonly seed: string;
  readonly log: (line: string) => void;
}

export interface SoakResult {
  readonly faults: Readonly<Record<string, number>>;
  readonly errorsReported: number;
  /** The faults the proxy applied, in order, and the error events, for a run that does not add up. */
  readonly detail: readonly string[];
  readonly eventsCompared: number;
  readonly candles: number;
  readonly identical: boolean;
}

const RESTART = 150;
const closedBefore = (m: number) => at(m) + 30_000;

/** The survivable faults, with how many may be queued at once (2 empty answers in a row at most: 3 make a gap). */
const KINDS: ReadonlyArray<readonly [ProxyFault, number]> = [
  [{ kind: 'reset-mid-body' }, 3],
  [{ kind: 'gzip-cut' }, 1],
  [{ kind: 'close-before-headers' }, 3],
  [{ kind: 'empty-page' }, 1],
  [{ kind: 'null-row' }, 3],
  [{ kind: 'off-grid', ms: 1234 }, 3],
  [{ kind: 'status', status: 503 }, 3],
  [{ kind: 'status', status: 429 }, 3],
  [{ kind: 'clock-cut' }, 1],
  [{ kind: 'clock-skew', ms: 5 * 60_000 }, 1],
  [{ kind: 'clock-skew', ms: -5 * 60_000 }, 1],
];

const label = (f: ProxyFault) => (f.kind === 'status' ? `status ${f.status}` : f.kind === 'clock-skew' ? `clock-skew ${f.ms > 0 ? '+' : ''}${f.ms / 60_000}m` : f.kind);

export async function soak(o: SoakOptions): Promise<SoakResult> {
  const end = RESTART + o.minutes;
  const rng = Sfc32.from(o.seed, 'exchange-soak');
  const server = await startBinanceServer({ now: closedBefore(RESTART), from: at(-1000), markets: markets(end) });
  const proxy = await startFaultProxy(server);
  const refStore = await tempStore({ noSync: true });
  const nodeStore = await tempStore({ noSync: true });
  const faults: Record<string, number> = {};
  const queued = new Map<string, number>();
  const consumed = () => {
    const seen = new Map<string, number>();
    for (const f of proxy.injected) seen.set(f.kind, (seen.get(f.kind) ?? 0) + 1);
    return seen;
  };
  try {
    const reference = startLive(server, refStore.store, { since: at(0) });
    const node = startLive(server, nodeStore.store, {
      since: at(0),
      exchange: proxy.exchange({ timeout: 300, rateLimit: 1 }),
      clock: undefined,
    });
    let m = RESTART;
    const timeout = 120_000;
    await Promise.all([reference.processed(m - 1, timeout), node.processed(m - 1, timeout)]);
    while (m < end) {
      const seen = consumed();
      for (let k = Math.floor(rng.uniform() * 3); k > 0; k--) {
        const [fault, most] = KINDS[Math.floor(rng.uniform() * KINDS.length)]!;
        const pending = (queued.get(fault.kind) ?? 0) - (seen.get(fault.kind) ?? 0);
        if (pending >= most) continue;
        proxy.inject(fault);
        queued.set(fault.kind, (queued.get(fault.kind) ?? 0) + 1);
        faults[label(fault)] = (faults[label(fault)] ?? 0) + 1;
      }
      m = Math.min(end, m + 1 + Math.floor(rng.uniform() * 8));
      server.now = closedBefore(m);
      await Promise.all([reference.processed(m - 1, timeout), node.processed(m - 1, timeout)]);
      if ((m - RESTART) % 50 < 8) o.log(`minute ${m - RESTART}/${o.minutes}: ${proxy.injected.length} faults hit, ${proxy.pendingFaults()} queued`);
    }
    // Faults still queued (a clock fault waiting for a read, a page fault for a page) are spent on further polls.
    const deadline = Date.now() + timeout;
    while (proxy.pendingFaults() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const refEvents = await reference.finish();
    const nodeEvents = await node.finish();
    const signals = (es: readonly SignalEvent[]) => es.filter((e) => e.action !== 'error');
    return {
      faults: Object.fromEntries(Object.entries(faults).sort()),
      errorsReported: nodeEvents.length - signals(nodeEvents).length,
      detail: [
        ...proxy.injected.map((f) => `fault ${f.kind} ${f.path} ${f.query.startTime ?? ''}`),
        ...nodeEvents.flatMap((e) => (e.action === 'error' ? [`error ${e.message}`] : [])),
      ],
      eventsCompared: signals(refEvents).length,
      candles: 2 * end,
      identical: isDeepStrictEqual(signals(refEvents), signals(nodeEvents)) && proxy.pendingFaults() === 0,
    };
  } finally {
    await proxy.close();
    await server.close();
    await refStore.cleanup();
    await nodeStore.cleanup();
  }
}
