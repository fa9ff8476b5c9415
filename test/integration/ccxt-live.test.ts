import { afterEach, describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { ccxtLive, ExchangeFetchError, type CcxtLiveOptions } from '../../src/ccxt.js';
import { FlowGate } from '../../src/core/flow-gate.js';
import { startBinanceServer, syntheticCandle, type BinanceServer, type Fault } from '../support/binance-server.js';
import { waitFor } from '../support/collect.js';
import { startFaultProxy } from '../support/fault-proxy.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const at = (minute: number) => T0 + minute * MIN;
const minuteOf = (t: number) => (t - T0) / MIN;

/** No trades at 00:100 (a real gap at the newest closed slot). */
const gappy = (t: number, ms: number): Candle | null => (t === at(100) ? null : syntheticCandle('GAP/USDT', t, ms));

let server: BinanceServer;
const cleanups: Array<() => Promise<void> | void> = [];

async function start(now = at(100) + 30_000) {
  server = await startBinanceServer({ now, from: T0, markets: { 'BTC/USDT': {}, 'ETH/USDT': {}, 'GAP/USDT': { candle: gappy } } });
  cleanups.push(() => server.close());
}

afterEach(async () => {
  expect(server.strays()).toEqual([]);
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Subscribe to a live source on the local exchange; every emitted candle is checked to be closed at emission. */
function live(extra: Partial<CcxtLiveOptions> = {}, gate?: FlowGate) {
  const got: SymbolCandle[] = [];
  const errors: ExchangeFetchError[] = [];
  const duplicates: Candle[] = [];
  const forming: SymbolCandle[] = [];
  let failure: unknown;
  let source = ccxtLive({
    exchange: server.exchange({ timeout: 300, rateLimit: 1 }),
    symbols: ['BTC/USDT', 'ETH/USDT'],
    interval: '1m',
    pollMs: 5,
    clock: () => server.now,
    retry: { baseMs: 5, maxMs: 20 },
    onError: (e) => errors.push(e),
    onDuplicate: (_, c) => duplicates.push(c),
    ...extra,
  });
  if (gate) source = source.withGate(gate);
  const subscription = source.subscribe({
    next: (c) => {
      if (c.candle.timestamp + MIN > server.now) forming.push(c);
      got.push(c);
    },
    error: (e) => (failure = e),
  });
  cleanups.push(() => subscription.unsubscribe());
  const labels = () => got.map((c) => `${minuteOf(c.candle.timestamp)} ${c.symbol}`);
  return { got, errors, duplicates, forming, subscription, labels, failure: () => failure };
}

/** `minute symbol` labels of both symbols for minutes [from, to), in the order a live source must emit them. */
function expectedLabels(from: number, to: number, symbols = ['BTC/USDT', 'ETH/USDT']): string[] {
  const out: string[] = [];
  for (let m = from; m < to; m++) for (const s of symbols) out.push(`${m} ${s}`);
  return out;
}

const exact = (got: readonly SymbolCandle[], symbol: string) =>
  got.filter((c) => c.symbol === symbol).map((c) => c.candle);

describe('ccxtLive against the local Binance', () => {
  it('emits each candle once it has closed, never the forming one', async () => {
    await start();
    let polls = 0;
    const run = live({
      clock: () => {
        polls++;
        return server.now;
      },
    });
    // The candle opening at 100 is forming: polling goes on, nothing is emitted.
    await waitFor(() => polls >= 5, 'a few polls');
    expect(run.got).toEqual([]);
    server.advance(MIN); // 101:30 — 100 has closed
    await waitFor(() => run.got.length === 2, 'candle 100');
    server.advance(3 * MIN); // 104:30
    await waitFor(() => run.got.length === 8, 'candles 101–103');
    expect(run.labels()).toEqual(expectedLabels(100, 104));
    expect(exact(run.got, 'BTC/USDT')).toEqual(server.closedCandles('BTC/USDT', at(100), at(104)));
    expect(run.forming).toEqual([]);
    expect(run.errors).toEqual([]);
    expect(run.failure()).toBeUndefined();
  });

  it('backfills from `since` (a restart after the last processed candle) in time order, a page at a time', async () => {
    await start();
    const run = live({ since: at(10), pageSize: 25 });
    await waitFor(() => run.got.length === 180, 'backfill 10–99');
    expect(run.labels()).toEqual(expectedLabels(10, 100));
    server.advance(MIN);
    await waitFor(() => run.got.length === 182, 'candle 100');
    expect(run.labels().slice(-2)).toEqual(['100 BTC/USDT', '100 ETH/USDT']);
    expect(server.klineRequests().every((r) => r.query.limit === '25')).toBe(true);
    expect(run.forming).toEqual([]);
  });

  it('takes a `since` per symbol', async () => {
    await start();
    const run = live({ since: { 'BTC/USDT': at(90), 'ETH/USDT': at(95) } });
    await waitFor(() => run.got.length === 15, 'backfill');
    expect(run.labels()).toEqual([...['90', '91', '92', '93', '94'].map((m) => `${m} BTC/USDT`), ...expectedLabels(95, 100)]);
  });

  it('backfills what it missed while the pipeline held it back (a pause)', async () => {
    await start();
    const gate = new FlowGate();
    const run = live({ since: at(98) }, gate);
    await waitFor(() => run.got.length === 4, 'backfill 98–99');
    gate.hold();
    server.advance(30 * MIN);
    await new Promise((r) => setTimeout(r, 30));
    gate.release();
    await waitFor(() => run.got.length === 64, 'the 30 minutes missed');
    expect(run.labels()).toEqual(expectedLabels(98, 130));
  });

  const faults: Array<[string, Fault, { errors: boolean; duplicates?: boolean }]> = [
    ['a request that never answers (timeout)', { kind: 'hang' }, { errors: true }],
    ['a slow answer', { kind: 'delay', ms: 50 }, { errors: false }],
    ['HTTP 429', { kind: 'status', status: 429 }, { errors: true }],
    ['HTTP 500', { kind: 'status', status: 500 }, { errors: true }],
    ['HTTP 503', { kind: 'status', status: 503 }, { errors: true }],
    ['a connection dropped mid-body', { kind: 'truncate-body', mode: 'reset' }, { errors: true }],
    ['a body cut short', { kind: 'truncate-body', mode: 'short' }, { errors: true }],
    ['a truncated page', { kind: 'truncate-rows', keep: 3 }, { errors: false }],
    ['duplicate candles', { kind: 'duplicate' }, { errors: false, duplicates: true }],
    ['out-of-order candles', { kind: 'out-of-order' }, { errors: false }],
  ];

  for (const [name, fault, expected] of faults) {
    it(`keeps running through ${name}, reporting it, with the fault-free candles`, async () => {
      await start();
      server.inject(fault, { times: 3 });
      const run = live({ since: at(90) });
      await waitFor(() => run.got.length === 20, 'backfill 90–99');
      // And again on a poll for a newly closed candle.
      server.inject(fault, { times: 2 });
      server.advance(2 * MIN);
      await waitFor(() => run.got.length === 24, 'candles 100–101');
      expect(run.labels()).toEqual(expectedLabels(90, 102));
      for (const symbol of ['BTC/USDT', 'ETH/USDT']) expect(exact(run.got, symbol)).toEqual(server.closedCandles(symbol, at(90), at(102)));
      expect(run.errors.length > 0).toBe(expected.errors);
      if (expected.errors) {
        expect(run.errors).toHaveLength(5);
        expect(run.errors[0]!.message).toMatch(/binance BTC\/USDT 1m from 2024-01-01T01:30:00.000Z .*attempt 1 failed.*retrying/);
      }
      expect(run.duplicates.length > 0).toBe(expected.duplicates ?? false);
      expect(run.forming).toEqual([]);
      expect(run.failure()).toBeUndefined();
    });
  }

  it('keeps running when the exchange clock fails, reporting it', async () => {
    await start();
    server.inject({ kind: 'status', status: 500 }, { times: 2, path: '/api/v3/time' });
    const run = live({ since: at(95), clock: undefined });
    await waitFor(() => run.got.length === 10, 'backfill 95–99');
    expect(run.errors).toHaveLength(2);
    expect(run.errors[0]!.symbol).toBe('*');
    expect(run.forming).toEqual([]);
  });

  it('waits out a gap at the newest slot instead of skipping or inventing a candle', async () => {
    await start(at(101) + 2_000); // 100 closed 2 s ago, and GAP/USDT has no candle there
    const run = live({ symbols: ['GAP/USDT'], since: at(98) });
    await waitFor(() => run.got.length === 2, 'candles 98–99');
    server.advance(MIN); // 102:02 — 101 has closed
    await waitFor(() => run.got.length === 3, 'candle 101');
    expect(run.got.map((c) => minuteOf(c.candle.timestamp))).toEqual([98, 99, 101]);
  });

  it('an empty answer while catching up is a fault: reported, asked again, the backlog emitted (the gap rule)', async () => {
    await start();
    const proxy = await startFaultProxy(server);
    cleanups.push(() => proxy.close());
    proxy.inject({ kind: 'empty-page' }, { times: 2 });
    const run = live({ since: at(10), exchange: proxy.exchange({ timeout: 300, rateLimit: 1 }) });
    await waitFor(() => run.got.length === 180, 'backfill 10–99');
    expect(run.labels()).toEqual(expectedLabels(10, 100));
    expect(run.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/BTC\/USDT 1m from 2024-01-01T00:10:00.000Z .*EmptyPageError: no candles in \[2024-01-01T00:10:00.000Z, 2024-01-01T01:40:00.000Z\) although the exchange's clock says they closed \(empty answer 1 of 3 before it counts as a gap\); retrying/),
      expect.stringMatching(/empty answer 2 of 3/),
    ]);
  });

  it('three empty answers in a row for settled slots are a gap: the cursor moves past it (the gap rule)', async () => {
    await start();
    const proxy = await startFaultProxy(server);
    cleanups.push(() => proxy.close());
    proxy.inject({ kind: 'empty-page' }, { times: 3 });
    const run = live({ symbols: ['BTC/USDT'], since: at(90), exchange: proxy.exchange({ timeout: 300, rateLimit: 1 }) });
    await waitFor(() => run.errors.length === 2 && proxy.pendingFaults() === 0, 'the gap confirmed');
    server.advance(2 * MIN);
    await waitFor(() => run.got.length === 2, 'candles 100–101');
    expect(run.labels()).toEqual(['100 BTC/USDT', '101 BTC/USDT']);
  });

  it('ends with an error for a failure no retry can fix (an unknown symbol)', async () => {
    await start();
    const run = live({ symbols: ['XRP/USDT'], since: at(90) });
    await waitFor(() => run.failure() !== undefined, 'the error');
    expect(String(run.failure())).toMatch(/XRP\/USDT/);
    expect(run.errors.at(-1)!.retryInMs).toBeNull();
  });

  it('stops polling once unsubscribed', async () => {
    await start();
    const run = live({ since: at(99) });
    await waitFor(() => run.got.length === 2, 'candle 99');
    run.subscription.unsubscribe();
    const asked = server.requests.length;
    server.advance(5 * MIN);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests.length).toBeLessThanOrEqual(asked + 1); // at most the request already in flight
  });
});
