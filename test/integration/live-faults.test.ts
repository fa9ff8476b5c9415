import { beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import type { LmdbStore } from '../../src/lmdb.js';
import { startBinanceServer, type BinanceServer, type Fault } from '../support/binance-server.js';
import { at, markets, signalEvents, startLive, type LiveRun } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { deferredCleanups } from '../support/cleanups.js';

const END = 200;
const closedBefore = (m: number) => at(m) + 30_000;

const defer = deferredCleanups();

async function fresh(): Promise<{ server: BinanceServer; store: LmdbStore }> {
  const server = await startBinanceServer({ now: closedBefore(150), from: at(-1000), markets: markets(END) });
  const t = await tempStore({ noSync: true });
  defer(async () => {
    expect(server.strays()).toEqual([]);
    await server.close();
    await t.cleanup();
  });
  return { server, store: t.store };
}

/**
 * A run in two parts, with `fault` on the first `times[0]` exchange requests (the warm-up and the backfill) and on
 * the first `times[1]` after the clock moves on (polling for newly closed candles).
 */
async function run(fault?: Fault, times: readonly [number, number] = [3, 2]): Promise<{ events: SignalEvent[]; node: LiveRun }> {
  const { server, store } = await fresh();
  if (fault) server.inject(fault, { times: times[0] });
  const node = startLive(server, store, { since: at(0) });
  await node.processed(149);
  if (fault) server.inject(fault, { times: times[1] });
  server.now = closedBefore(END);
  await node.processed(END - 1);
  expect(server.pendingFaults()).toBe(0);
  return { events: await node.finish(), node };
}

let reference: SignalEvent[];
beforeAll(async () => {
  const { events } = await run();
  expect(events.filter((e) => e.action === 'error')).toEqual([]);
  reference = events;
  expect(reference.filter((e) => e.action === 'closed').length).toBeGreaterThan(5);
});

const faults: Array<[string, Fault, 'errors' | 'none' | 'duplicates']> = [
  ['a request that never answers (timeout)', { kind: 'hang' }, 'errors'],
  ['a slow answer', { kind: 'delay', ms: 50 }, 'none'],
  ['HTTP 429', { kind: 'status', status: 429 }, 'errors'],
  ['HTTP 500', { kind: 'status', status: 500 }, 'errors'],
  ['HTTP 503', { kind: 'status', status: 503 }, 'errors'],
  ['a connection dropped mid-body', { kind: 'truncate-body', mode: 'reset' }, 'errors'],
  ['a body cut short', { kind: 'truncate-body', mode: 'short' }, 'errors'],
  ['a truncated page', { kind: 'truncate-rows', keep: 3 }, 'none'],
  ['duplicate candles', { kind: 'duplicate' }, 'duplicates'],
  ['out-of-order candles', { kind: 'out-of-order' }, 'none'],
];

describe('a live node on a faulty exchange', () => {
  for (const [name, fault, expected] of faults) {
    it(`keeps running through ${name}, reports what is an error, and its events match the fault-free run`, async () => {
      const { events, node } = await run(fault);
      expect(signalEvents(events)).toEqual(reference);
      const errors = events.filter((e) => e.action === 'error');
      const status = node.monitor.status();
      if (expected === 'errors') {
        expect(errors).toHaveLength(5);
        for (const e of errors) {
          expect(e.strategy).toBe('*');
          expect(['BTC/USDT', 'ETH/USDT']).toContain(e.symbol);
          // Names the symbol, the time it was reading from and the cause; says it goes on.
          expect(e.action === 'error' && e.message).toMatch(
            new RegExp(`^binance ${e.symbol.replace('/', '\\/')} 1m from ${new Date(e.now).toISOString()} \\(${e.now}\\): attempt \\d+ failed: .+; retrying in \\d+ ms$`),
          );
        }
        expect(status.errors).toBe(5);
        expect(status.lastError).toBe((errors[4] as { message: string }).message);
      } else {
        expect(errors).toEqual([]);
      }
      expect(status.duplicateCandles > 0).toBe(expected === 'duplicates');
    });
  }

  it('keeps running when the exchange clock fails at start, reporting it', async () => {
    const { server, store } = await fresh();
    server.inject({ kind: 'status', status: 500 }, { times: 2, path: '/api/v3/time' });
    const node = startLive(server, store, { since: at(0), clock: undefined });
    await node.processed(149);
    server.now = closedBefore(END);
    await node.processed(END - 1);
    const events = await node.finish();
    const errors = events.filter((e) => e.action === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ symbol: '*', strategy: '*' });
    expect(errors[0]!.action === 'error' && errors[0]!.message).toMatch(/^binance \* 1m .*attempt 1 failed: OperationFailed: .*An unknown error occurred.*; retrying in \d+ ms$/);
    expect(signalEvents(events)).toEqual(reference);
  });
});
