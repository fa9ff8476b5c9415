import { take } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { ccxtCandles, ExchangeFetchError, type CcxtCandlesOptions } from '../../src/ccxt.js';
import { startBinanceServer, syntheticCandle, type BinanceServer, type Fault } from '../support/binance-server.js';
import { collect } from '../support/collect.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { tamper, tempStore } from '../support/temp-store.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const at = (minute: number) => T0 + minute * MIN;

/** Candles stop after minute 2400 (nobody trades any more) and have two long gaps before. */
const gappy = (t: number, ms: number): Candle | null => {
  const m = (t - T0) / MIN;
  return (m >= 100 && m < 400) || (m >= 1200 && m < 1500) || m > 2400 ? null : syntheticCandle('GAP/USDT', t, ms);
};

/** One invalid candle (high below the body) at 00:07. */
const broken = (t: number, ms: number): Candle => {
  const c = syntheticCandle('BAD/USDT', t, ms);
  return t === at(7) ? { ...c, high: c.low * 0.5 } : c;
};

let server: BinanceServer | undefined;
const cleanups: Array<() => Promise<void>> = [];

async function start(now = at(2500) + 30_000): Promise<BinanceServer> {
  const s = await startBinanceServer({
    now,
    from: T0,
    markets: { 'BTC/USDT': {}, 'ETH/USDT': {}, 'GAP/USDT': { candle: gappy }, 'BAD/USDT': { candle: broken } },
  });
  server = s;
  cleanups.push(() => s.close());
  return s;
}

afterEach(async () => {
  // Whatever a test did, ccxt only ever talked to the endpoints the local exchange serves.
  expect(server?.strays() ?? []).toEqual([]);
  server = undefined;
  while (cleanups.length > 0) await cleanups.pop()!();
});

function source(extra: Partial<CcxtCandlesOptions> = {}, exchangeConfig: Record<string, unknown> = {}) {
  const exchange = server!;
  const errors: ExchangeFetchError[] = [];
  const duplicates: Candle[] = [];
  const candles$ = ccxtCandles({
    exchange: exchange.exchange({ timeout: 300, rateLimit: 5, ...exchangeConfig }),
    symbol: 'BTC/USDT',
    interval: '1m',
    since: T0,
    clock: () => exchange.now,
    retry: { baseMs: 5, maxMs: 20 },
    onError: (e) => errors.push(e),
    onDuplicate: (_, c) => duplicates.push(c),
    ...extra,
  });
  return { candles$, errors, duplicates };
}

const candlesOf = (xs: readonly SymbolCandle[]) => xs.map((x) => x.candle);

describe('ccxtCandles against the local Binance', () => {
  it('pages through fetchOHLCV within the exchange limit and never emits the forming candle', async () => {
    const server = await start();
    const { candles$, errors } = source();
    const got = await collect(candles$);
    expect(candlesOf(got)).toEqual(server.closedCandles('BTC/USDT', T0, Infinity));
    expect(got).toHaveLength(2500);
    // The candle opening at 2500 is forming at 2500:30 — the server has it, the source must not emit it.
    expect(got.at(-1)!.candle.timestamp).toBe(at(2499));
    const pages = server.klineRequests();
    expect(pages.map((r) => [r.query.startTime, r.query.limit])).toEqual([
      [String(at(0)), '1000'],
      [String(at(1000)), '1000'],
      [String(at(2000)), '1000'],
    ]);
    expect(errors).toEqual([]);
  });

  it('a smaller pageSize is respected, and until is exclusive', async () => {
    const server = await start();
    const got = await collect(source({ pageSize: 300, since: at(10), until: at(1000) }).candles$);
    expect(candlesOf(got)).toEqual(server.closedCandles('BTC/USDT', at(10), at(1000)));
    expect(server.klineRequests().every((r) => r.query.limit === '300')).toBe(true);
    expect(server.klineRequests()).toHaveLength(4);
  });

  it('asks the exchange for its time when no clock is given', async () => {
    const server = await start();
    const got = await collect(source({ clock: undefined, since: at(2400) }).candles$);
    expect(server.requests[0]!.path).toBe('/api/v3/time');
    expect(got.at(-1)!.candle.timestamp).toBe(at(2499));
  });

  it('merges several symbols in time order, ties by symbol', async () => {
    const server = await start();
    const got = await collect(source({ symbol: ['ETH/USDT', 'BTC/USDT'], since: at(2490) }).candles$);
    expect(got.map((x) => `${(x.candle.timestamp - T0) / MIN} ${x.symbol}`).slice(0, 4)).toEqual([
      '2490 BTC/USDT',
      '2490 ETH/USDT',
      '2491 BTC/USDT',
      '2491 ETH/USDT',
    ]);
    expect(got).toHaveLength(20);
  });

  const faults: Array<[string, Fault, { errors: boolean; duplicates?: number }]> = [
    ['a request that never answers (timeout)', { kind: 'hang' }, { errors: true }],
    ['a slow answer', { kind: 'delay', ms: 50 }, { errors: false }],
    ['HTTP 429', { kind: 'status', status: 429 }, { errors: true }],
    ['HTTP 500', { kind: 'status', status: 500 }, { errors: true }],
    ['HTTP 503', { kind: 'status', status: 503 }, { errors: true }],
    ['a connection dropped mid-body', { kind: 'truncate-body', mode: 'reset' }, { errors: true }],
    ['a body cut short (ccxt parses it as an empty page)', { kind: 'truncate-body', mode: 'short' }, { errors: true }],
    ['a truncated page (fewer candles than exist)', { kind: 'truncate-rows', keep: 7 }, { errors: false }],
    ['duplicate candles', { kind: 'duplicate' }, { errors: false, duplicates: 1000 }],
    // ccxt sorts each page itself; the source's own order check is exercised below with a bare exchange.
    ['out-of-order candles', { kind: 'out-of-order' }, { errors: false }],
  ];

  for (const [name, fault, expected] of faults) {
    it(`recovers from ${name}: same candles as without the fault`, async () => {
      const server = await start();
      server.inject(fault, { times: 2 });
      const { candles$, errors, duplicates } = source({ until: at(2100) });
      const got = await collect(candles$);
      expect(candlesOf(got)).toEqual(server.closedCandles('BTC/USDT', T0, at(2100)));
      expect(server.pendingFaults()).toBe(0);
      if (expected.errors) {
        expect(errors).toHaveLength(2);
        expect(errors[0]!.message).toMatch(/binance BTC\/USDT 1m from 2024-01-01T00:00:00.000Z .*attempt 1 failed.*retrying in 5 ms/);
        expect(errors[1]!.attempt).toBe(2);
      } else {
        expect(errors).toEqual([]);
      }
      expect(duplicates).toHaveLength(expected.duplicates ?? 0);
    });
  }

  it('gives up on a failure that persists, with an error naming symbol, time and attempt', async () => {
    const server = await start();
    server.inject({ kind: 'status', status: 429 }, { times: 100 });
    const { candles$, errors } = source({ since: at(5), retry: { maxRetries: 2, baseMs: 1, maxMs: 2 } });
    const failure = await collect(candles$).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ExchangeFetchError);
    expect((failure as ExchangeFetchError).message).toMatch(/BTC\/USDT 1m from 2024-01-01T00:05:00.000Z .*attempt 3 failed: DDoSProtection.*giving up/);
    expect(errors.map((e) => e.retryInMs)).toEqual([1, 2, null]);
  });

  it('rejects an invalid candle from the exchange, naming symbol, time and field', async () => {
    const server = await start();
    const { candles$, errors } = source({ symbol: 'BAD/USDT', retry: { maxRetries: 1, baseMs: 1 } });
    const failure = (await collect(candles$).catch((e: unknown) => e)) as Error;
    expect(failure.message).toMatch(/invalid candle for BAD\/USDT at 2024-01-01T00:07:00.000Z .*field 'high'/);
    expect(errors).toHaveLength(2);
  });

  it('stops asking once unsubscribed', async () => {
    const server = await start();
    const got = await collect(source({ pageSize: 10 }).candles$.pipe(take(15)));
    expect(got).toHaveLength(15);
    const asked = server.klineRequests().length;
    await new Promise((r) => setTimeout(r, 50));
    expect(server.klineRequests().length).toBe(asked);
    expect(asked).toBeLessThanOrEqual(3);
  });
});

describe('ccxtCandles with a candle cache', () => {
  async function cache() {
    const t = await tempStore({ noSync: true });
    cleanups.push(t.cleanup);
    return t;
  }

  it('serves a repeated run from the store, fetching only what is missing', async () => {
    const server = await start();
    const t = await cache();
    const first = await collect(source({ store: t.store }).candles$);
    expect(server.klineRequests()).toHaveLength(3);

    const again = await collect(source({ store: await t.reopen() }).candles$);
    expect(again).toEqual(first);
    expect(server.klineRequests()).toHaveLength(3); // not one more

    // Ten minutes later: the formerly forming candle has closed; only the tail is fetched.
    server.advance(10 * MIN);
    const later = await collect(source({ store: t.store }).candles$);
    expect(server.klineRequests()).toHaveLength(4);
    expect(server.klineRequests()[3]!.query.startTime).toBe(String(at(2500)));
    expect(candlesOf(later)).toEqual(server.closedCandles('BTC/USDT', T0, Infinity));
    expect(later.find((x) => x.candle.timestamp === at(2500))!.candle).toEqual(server.candleAt('BTC/USDT', at(2500)));
  });

  it('fills a hole in the middle from the exchange, reading the rest from the store', async () => {
    const server = await start();
    const t = await cache();
    await collect(source({ store: t.store, since: at(0), until: at(100) }).candles$);
    await collect(source({ store: t.store, since: at(200), until: at(300) }).candles$);
    const before = server.klineRequests().length;
    const got = await collect(source({ store: t.store, since: at(0), until: at(300) }).candles$);
    expect(candlesOf(got)).toEqual(server.closedCandles('BTC/USDT', at(0), at(300)));
    expect(server.klineRequests().slice(before).map((r) => r.query.startTime)).toEqual([String(at(100))]);
  });

  it('does not cache two empty answers for closed slots as a gap: they are faults, reported and asked again', async () => {
    const server = await start();
    const proxy = await startFaultProxy(server);
    cleanups.push(() => proxy.close());
    const t = await cache();
    proxy.inject({ kind: 'empty-page' }, { times: 2 });
    const { candles$, errors } = source({ store: t.store, until: at(1440), exchange: proxy.exchange({ timeout: 300, rateLimit: 5 }) });
    const got = await collect(candles$);
    expect(candlesOf(got)).toEqual(server.closedCandles('BTC/USDT', T0, at(1440)));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/EmptyPageError: .*answer 1 of 3/), expect.stringMatching(/EmptyPageError: .*answer 2 of 3/)]);
    expect(t.store.candles.coveredRanges('BTC/USDT', '1m', T0, at(1440))).toEqual([{ from: T0, to: at(1440) }]);
    expect([...t.store.candles.readCandles('BTC/USDT', '1m', T0, at(1440))]).toHaveLength(1440);
  });

  it('remembers gaps (no trades) so they are not fetched again', async () => {
    const server = await start();
    const t = await cache();
    const first = await collect(source({ symbol: 'GAP/USDT', store: t.store }).candles$);
    expect(candlesOf(first)).toEqual(server.closedCandles('GAP/USDT', T0, Infinity));
    const asked = server.klineRequests().length;
    const again = await collect(source({ symbol: 'GAP/USDT', store: t.store }).candles$);
    expect(again).toEqual(first);
    expect(server.klineRequests()).toHaveLength(asked);
  });

  it('does not remember as a gap a slot too recent to be final', async () => {
    // 5 s after 2500 opened: slot 2499 closed only 5 s ago, and GAP/USDT has nothing there.
    const server = await start(at(2500) + 5_000);
    const t = await cache();
    await collect(source({ symbol: 'GAP/USDT', store: t.store }).candles$);
    const asked = server.klineRequests().length;
    await collect(source({ symbol: 'GAP/USDT', store: t.store }).candles$);
    // Slot 2499 is asked for again (once: an empty answer for an unsettled slot is no news, not a fault); nothing else.
    expect(server.klineRequests().slice(asked).map((r) => r.query.startTime)).toEqual([String(at(2499))]);
  });

  it('refetches a corrupted cached candle in its place, and quarantines the bad record', async () => {
    const server = await start();
    const t = await cache();
    const first = await collect(source({ store: t.store, until: at(50) }).candles$);
    await t.store.close();
    await tamper(t.path, 'candles', ['BTC/USDT', '1m', at(20)], [1, 'x', 2, 3, 4, 5]);
    const store = await t.reopen();
    const before = server.klineRequests().length;
    const again = await collect(source({ store, until: at(50) }).candles$);
    expect(again).toEqual(first);
    expect(server.klineRequests().slice(before).map((r) => r.query.startTime)).toEqual([String(at(20))]);
    expect(t.reports).toMatchObject([{ db: 'candles', key: ['BTC/USDT', '1m', at(20)] }]);
    // Repaired: the next run needs the exchange no more.
    await collect(source({ store, until: at(50) }).candles$);
    expect(server.klineRequests()).toHaveLength(before + 1);
  });
});

describe('ccxtCandles with a bare exchange object', () => {
  /** Answers from `pages` in turn: what a ccxt exchange that does not sort its pages might return. */
  function bare(pages: unknown[][]) {
    const calls: Array<{ since?: number; limit?: number }> = [];
    return {
      calls,
      exchange: {
        id: 'bare',
        enableRateLimit: false,
        rateLimit: 1,
        async fetchOHLCV(_symbol: string, _tf?: string, since?: number, limit?: number) {
          calls.push({ since, limit });
          return pages.shift() ?? [];
        },
      },
    };
  }
  const row = (m: number) => [at(m), 100, 101, 99, 100.5, 3];

  it('an out-of-order page is reported and asked again; duplicates across pages are dropped', async () => {
    const { exchange, calls } = bare([
      [row(0), row(2), row(1)],
      [row(0), row(1), row(2)],
      [row(2), row(3), row(4)],
      [],
      [],
    ]);
    const errors: ExchangeFetchError[] = [];
    const duplicates: Candle[] = [];
    const got = await collect(
      ccxtCandles({
        exchange,
        symbol: 'X/Y',
        interval: '1m',
        since: T0,
        until: at(10),
        clock: () => at(100),
        retry: { baseMs: 1 },
        onError: (e) => errors.push(e),
        onDuplicate: (_, c) => duplicates.push(c),
      }),
    );
    expect(got.map((x) => (x.candle.timestamp - T0) / MIN)).toEqual([0, 1, 2, 3, 4]);
    expect(errors).toHaveLength(3);
    expect(errors[0]!.message).toMatch(/out-of-order candle for X\/Y at 2024-01-01T00:01:00.000Z .*field 'timestamp'/);
    // The settled slots from 00:05 answered empty: asked until 3 answers agree (the gap rule), each one reported.
    expect(errors[1]!.message).toMatch(/from 2024-01-01T00:05:00.000Z .*EmptyPageError: no candles .*empty answer 1 of 3/);
    expect(errors[2]!.message).toMatch(/empty answer 2 of 3/);
    expect(duplicates.map((c) => (c.timestamp - T0) / MIN)).toEqual([2]);
    // Pages follow the data: after the third page, from 00:05.
    expect(calls.map((c) => (c.since! - T0) / MIN)).toEqual([0, 0, 3, 5, 5, 5]);
    expect(calls.every((c) => c.limit === 500)).toBe(true);
  });

  it('rejects options it does not understand, naming the field', () => {
    const { exchange } = bare([]);
    expect(() => ccxtCandles({ exchange, symbol: 'X/Y', interval: '2m' as never, since: 0 })).toThrow(/ccxtCandles: 'interval'/);
    expect(() => ccxtCandles({ exchange: {} as never, symbol: 'X/Y', interval: '1m', since: 0 })).toThrow(/'exchange'/);
  });
});
