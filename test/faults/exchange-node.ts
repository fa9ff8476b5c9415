/**
 * The fault suite's two nodes on one deterministic exchange: a reference node talking to the local exchange
 * directly, and a node behind the fault-injecting proxy. Both run the live pipeline in-process with the harness's
 * strategies over the same minutes — first a warm-up and a backfill (a restart after minute 0), then the polling of
 * newly closed candles — and their events are compared.
 */
import { expect } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import type { LiveOptions } from '../../src/live.js';
import type { LmdbStore } from '../../src/lmdb.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { deferredCleanups } from '../support/cleanups.js';
import { startFaultProxy, type FaultProxy, type ProxyFault } from '../support/fault-proxy.js';
import { at, markets, startLive, type LiveRun } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';

/** The last minute with data: the exchange has nothing after it, so both nodes have a definite end. */
export const END = 200;
/** Half a minute into minute `m`: every candle before it has closed (and settled). */
export const closedBefore = (m: number) => at(m) + 30_000;
/** The minute a node is restarted at (everything before is backfilled) and the minute it is polled to. */
export const RESTART = 150;

export interface Exchange {
  readonly server: BinanceServer;
  readonly proxy: FaultProxy;
  readonly store: LmdbStore;
}

export function exchanges(): () => Promise<Exchange> {
  const defer = deferredCleanups();
  return async () => {
    const server = await startBinanceServer({ now: closedBefore(RESTART), from: at(-1000), markets: markets(END) });
    const proxy = await startFaultProxy(server);
    const t = await tempStore({ noSync: true });
    defer(async () => {
      expect(server.strays()).toEqual([]);
      await proxy.close();
      await server.close();
      await t.cleanup();
    });
    return { server, proxy, store: t.store };
  };
}

export interface FaultPlan {
  /** Faults queued before the node starts (warm-up, backfill). */
  readonly start?: ReadonlyArray<readonly [ProxyFault, number]>;
  /** Faults queued when the exchange's clock moves on (polling for newly closed candles). */
  readonly poll?: ReadonlyArray<readonly [ProxyFault, number]>;
  /** Options for the node (e.g. its exchange clock instead of the test's). */
  readonly node?: Partial<LiveOptions>;
  /** Options for ccxt's exchange. */
  readonly exchange?: Record<string, unknown>;
}

/** Runs a node through the proxy with the faults of `plan`, to minute END; its events. */
export async function runNode(x: Exchange, plan: FaultPlan = {}): Promise<{ events: SignalEvent[]; node: LiveRun }> {
  const { server, proxy, store } = x;
  for (const [fault, times] of plan.start ?? []) proxy.inject(fault, { times });
  const node = startLive(server, store, {
    since: at(0),
    exchange: proxy.exchange({ timeout: 300, rateLimit: 1, ...plan.exchange }),
    ...plan.node,
  });
  await node.processed(RESTART - 1);
  for (const [fault, times] of plan.poll ?? []) proxy.inject(fault, { times });
  server.now = closedBefore(END);
  await node.processed(END - 1);
  expect(proxy.pendingFaults()).toBe(0);
  return { events: await node.finish(), node };
}

/** Events other than `error` (what must match the reference), and the errors. */
export function split(events: readonly SignalEvent[]): { signals: SignalEvent[]; errors: Array<Extract<SignalEvent, { action: 'error' }>> } {
  return {
    signals: events.filter((e) => e.action !== 'error'),
    errors: events.filter((e): e is Extract<SignalEvent, { action: 'error' }> => e.action === 'error'),
  };
}
