import { beforeAll, describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { waitFor } from '../support/collect.js';
import { at, SYMBOLS, startLive } from '../support/live-harness.js';
import { closedBefore, END, exchanges, RESTART, runNode, split } from './exchange-node.js';

/*
 * The nodes here read the exchange's clock through the proxy (`clock: undefined`: the default `exchangeClock`), so
 * clock answers can be cut off or skewed. The test exchange's clock stands still between the test's jumps: the
 * clock check must take a jump that every answer agrees on, and refuse a single answer that disagrees.
 */
const exchange = exchanges();

let reference: SignalEvent[];
beforeAll(async () => {
  const { events } = await runNode(await exchange());
  expect(split(events).errors).toEqual([]);
  reference = events;
});

describe('a live node reading a faulty exchange clock', () => {
  it('retries and reports a cut-off clock answer, never replacing it by the local clock, and ends with the reference events', async () => {
    const x = await exchange();
    const { events } = await runNode(x, { start: [[{ kind: 'clock-cut' }, 2]], poll: [[{ kind: 'clock-cut' }, 2]], node: { clock: undefined } });
    const { signals, errors } = split(events);
    expect(signals).toEqual(split(reference).signals);
    expect(errors).toHaveLength(4);
    for (const e of errors) expect(e.message).toMatch(/ClockError: binance fetchTime: expected the exchange's time in epoch ms, got undefined/);
  });

  it('refuses a single answer 5 minutes ahead: the forming candle is not processed, the read is reported', async () => {
    const x = await exchange();
    const node = startLive(x.server, x.store, { since: at(0), exchange: x.proxy.exchange({ timeout: 300, rateLimit: 1 }), clock: undefined });
    await node.processed(RESTART - 1);
    const timeReads = () => x.server.requests.filter((r) => r.path === '/api/v3/time').length;
    x.proxy.inject({ kind: 'clock-skew', ms: 5 * 60_000 });
    await waitFor(() => x.proxy.injected.length === 1, 'the skewed answer sent');
    // Polls go on after it (with answers that agree); none may have taken the candle forming at minute 150.
    const after = timeReads();
    await waitFor(() => timeReads() >= after + 10, '10 more clock reads');
    const status = node.monitor.status().symbols;
    for (const symbol of SYMBOLS) expect(status[symbol]!.lastCandle).toBe(at(RESTART - 1));
    const errors = split(node.events).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^binance \* 1m .*ClockError: binance fetchTime: answers disagree: .* is 300\d{3} ms away from/);
    x.server.now = closedBefore(END);
    await node.processed(END - 1);
    const { signals } = split(await node.finish());
    expect(signals).toEqual(split(reference).signals);
  });

  it('refuses a first answer that the next one contradicts (at start)', async () => {
    const x = await exchange();
    const { events } = await runNode(x, { start: [[{ kind: 'clock-skew', ms: 5 * 60_000 }, 1]], node: { clock: undefined } });
    const { signals, errors } = split(events);
    expect(signals).toEqual(split(reference).signals);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/answers disagree/);
  });
});
