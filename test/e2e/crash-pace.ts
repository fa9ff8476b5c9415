import type { SignalEvent } from '../../src/core/events.js';
import { openStore } from '../../src/lmdb.js';
import type { BinanceServer } from '../support/binance-server.js';
import { waitFor, waitForValue } from '../support/collect.js';
import { at } from '../support/live-harness.js';
import { httpGet, type NodeProcess } from './live-node.js';

/** The lanes' outbox as the store at `path` holds it now (the node must not be running). */
export async function storeOutbox(path: string): Promise<SignalEvent[]> {
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

/** Half a minute into minute `end`: the exchange's clock once every candle of the data has closed. */
export const lastClock = (end: number): number => at(end) + 30_000;

/**
 * Moves the exchange's clock on by `stepMinutes()` each time the node processed every candle closed so far, until the
 * data (minutes before `end`) ends; returns when the node exited. Sets `done.end` once the node processed the last
 * minute. Every wait is on a condition (the node's /healthz), never on time.
 */
export async function paceExchange(n: NodeProcess, server: BinanceServer, end: number, stepMinutes: () => number, done: { end: boolean }): Promise<void> {
  let port: number;
  try {
    port = await n.port();
  } catch {
    return; // it died before listening
  }
  while (!n.hasExited()) {
    // Caught up: every candle closed by the exchange's clock so far was processed (false: the node is gone).
    const caughtUp = async (): Promise<boolean | undefined> => {
      if (n.hasExited()) return false;
      let last: number[];
      try {
        last = await lastCandles(port);
      } catch {
        return false; // killed mid-request
      }
      const closed = Math.floor(server.now / 60_000) * 60_000 - 60_000;
      return last.length > 0 && last.every((t) => t >= closed) ? true : undefined;
    };
    if (!(await waitForValue(caughtUp, () => `the node to process every closed candle up to ${server.now}`, 120_000))) return;
    if (Math.floor(server.now / 60_000) * 60_000 - 60_000 >= at(end - 1)) done.end = true;
    if (server.now >= lastClock(end)) {
      // Nothing left to pace: wait for the node to go (the test stops or kills it).
      await waitFor(() => n.hasExited(), 'the node to exit after the last minute', 600_000);
      return;
    }
    server.now = Math.min(server.now + stepMinutes() * 60_000, lastClock(end));
  }
}
