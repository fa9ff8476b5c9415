import { beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import type { ProxyFault } from '../support/fault-proxy.js';
import { waitFor } from '../support/collect.js';
import { at, startLive } from '../support/live-harness.js';
import { closedBefore, END, exchanges, RESTART, runNode, split } from './exchange-node.js';

const exchange = exchanges();

const withoutMoney = (e: SignalEvent) => {
  const { stake: _stake, profit: _profit, ...rest } = e as SignalEvent & { stake?: number; profit?: number };
  return rest;
};

let reference: SignalEvent[];
beforeAll(async () => {
  const { events } = await runNode(await exchange());
  expect(split(events).errors).toEqual([]);
  reference = events;
  expect(reference.filter((e) => e.action === 'closed').length).toBeGreaterThan(5);
});

/**
 * Survivable faults: the node reports each one and ends with the reference's events. Each is injected on 3
 * requests at start (warm-up and backfill) and 2 when polling, except the empty page: 2 consecutive empty answers
 * are a fault, the 3rd is the exchange confirming a gap (gap-rule.ts), pinned below.
 */
const survivable: Array<[string, ProxyFault, RegExp]> = [
  ['a connection reset mid-body', { kind: 'reset-mid-body' }, /ECONNRESET|other side closed|terminated|socket/i],
  ['a gzip body cut off, then a reset', { kind: 'gzip-cut' }, /no answer within \d+ ms/],
  ['a connection closed before any answer', { kind: 'close-before-headers' }, /fetch failed|ECONNRESET|socket|closed/i],
  ['an empty page where candles exist', { kind: 'empty-page' }, /no candles .* closed/],
  ['a null row in a page', { kind: 'null-row' }, /row \d+ is not a candle row: null/],
  ['an off-grid timestamp', { kind: 'off-grid', ms: 1234 }, /not on the 1m grid/],
];

describe('a live node behind a faulty connection ends with the reference events', () => {
  for (const [name, fault, cause] of survivable) {
    it(`survives ${name} during warm-up, backfill and polling, reporting each`, async () => {
      const x = await exchange();
      const atStart = fault.kind === 'empty-page' ? 2 : 3;
      const { events } = await runNode(x, { start: [[fault, atStart]], poll: [[fault, 2]] });
      const { signals, errors } = split(events);
      expect(signals).toEqual(split(reference).signals);
      expect(x.proxy.injected).toHaveLength(atStart + 2);
      expect(errors).toHaveLength(atStart + 2);
      for (const e of errors) expect(e.message).toMatch(cause);
    });
  }
});

describe('a symbol the exchange refuses for good', () => {
  for (const [name, fault, cause] of [
    ['an unknown symbol (HTTP 400, -1121)', { kind: 'status', status: 400, code: -1121, msg: 'Invalid symbol.' }, /BadSymbol/],
    ['a refused key (HTTP 401, -2015)', { kind: 'status', status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }, /AuthenticationError|PermissionDenied/],
  ] as Array<[string, ProxyFault, RegExp]>) {
    it(`${name}: reported once per phase, without retries; the other symbols go on with the reference events`, async () => {
      const x = await exchange();
      x.proxy.inject(fault, { times: 1_000_000, symbol: 'ETHUSDT' });
      const node = startLive(x.server, x.store, { since: at(0), exchange: x.proxy.exchange({ timeout: 300, rateLimit: 1 }) });
      const btc = (m: number) => waitFor(() => (node.monitor.status().symbols['BTC/USDT']?.lastCandle ?? -1) >= at(m), `BTC/USDT minute ${m}`, 20_000);
      await btc(RESTART - 1);
      x.server.now = closedBefore(END);
      await btc(END - 1);
      const { signals, errors } = split(await node.finish());
      // Every decision is the reference's; the money differs by design: one account couples the symbols (SEMANTICS §12)
      // and the reference's ETH/USDT positions moved the equity its 10 %-of-equity stakes were sized from.
      expect(signals.map(withoutMoney)).toEqual(split(reference).signals.filter((e) => e.symbol === 'BTC/USDT').map(withoutMoney));
      // The warm-up gives up on it, then live polling: each once, at the first attempt.
      expect(errors).toHaveLength(2);
      for (const e of errors) {
        expect(e.symbol).toBe('ETH/USDT');
        expect(e.message).toMatch(cause);
        expect(e.message).toMatch(/attempt 1 failed: .*; giving up$/);
      }
    });
  }
});
