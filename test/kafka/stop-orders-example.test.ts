import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { lastValueFrom, of, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { signalEvent, type SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import { ensureTopics, toKafka } from '../../src/kafka.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { followStops, type StopOrders } from '../../examples/kafka-stop-orders.mjs';
import trailingBreakeven from '../../examples/trailing-breakeven.mjs';
import { brokers, unique, until } from './helpers.js';

// examples/kafka-stop-orders.mjs on the real broker: the README's recipe for moving an exchange stop order from
// `stop_moved` (SEMANTICS §13), fed by a backtest of examples/trailing-breakeven.mjs on the real ETH/BTC candles.
const FILE = resolve(__dirname, '../../../shared/data/freqtrade/ETH_BTC-1m.json');
const consumers: { disconnect(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of consumers) await c.disconnect();
});

/** An order book that records what it was asked, as a stop per signal. */
function recorder() {
  const log: string[] = [];
  const stops = new Map<string, number>();
  const orders: StopOrders = {
    place: async (symbol, id, side, price) => void (log.push(`${id} place ${side} ${price}`), stops.set(id, price)),
    move: async (symbol, id, price, cause) => void (log.push(`${id} move ${price} ${cause}`), stops.set(id, price)),
    resize: async (symbol, id, remaining) => void log.push(`${id} resize ${remaining}`),
    cancel: async (symbol, id, reason) => void (log.push(`${id} cancel ${reason}`), stops.delete(id)),
  };
  return { log, stops, orders };
}

/** What the follower must have done, from the events themselves. */
function expected(events: readonly SignalEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.action === 'opened') out.push(`${e.signal.id} place ${e.signal.position === 'long' ? 'sell' : 'buy'} ${e.signal.priceStopLoss}`);
    if (e.action === 'stop_moved') out.push(`${e.signal.id} move ${e.newPrice} ${e.cause}`);
    if (e.action === 'partial_closed') out.push(`${e.signal.id} resize ${e.remaining}`);
    if (e.action === 'closed') out.push(`${e.signal.id} cancel ${e.closeReason}`);
  }
  return out;
}

describe.runIf(existsSync(FILE))('examples/kafka-stop-orders.mjs', () => {
  it('keeps one stop order per open signal at tickflow\'s effective stop, applying each event once', async () => {
    const candles = JSON.parse(readFileSync(FILE, 'utf8')) as number[][];
    const run = () => backtest({ source: replayCandles({ 'ETH/BTC': candles }), strategies: [trailingBreakeven as Strategy] });
    const topic = unique('stop-orders');
    await ensureTopics({ brokers, topics: [{ topic, partitions: 1 }] });
    // Produced twice: a restarted node re-delivers its events with the same ids, and nothing may be applied twice.
    const events = await lastValueFrom(run().pipe(toKafka({ brokers, topic }), toArray()));
    await lastValueFrom(run().pipe(toKafka({ brokers, topic }), toArray()));
    // Last, one more signal: once it is placed, the follower has seen every record before it (one partition).
    const last = { ...events.find((e) => e.action === 'opened')!.signal, id: 'the-last' };
    await lastValueFrom(of(signalEvent('opened', { symbol: 'ETH/BTC', strategy: 'sentinel' }, last, last.scheduledAt)).pipe(toKafka({ brokers, topic })));
    const want = expected(events);
    expect(want.filter((l) => l.includes(' move ')).length).toBeGreaterThan(10);

    const book = recorder();
    consumers.push(await followStops({ brokers: brokers.split(','), topic, groupId: unique('stop-orders-group'), orders: book.orders }));
    await until(() => book.log.some((l) => l.startsWith('the-last ')), 'the last record to be applied');
    expect(book.log.slice(0, -1)).toEqual(want);
    book.stops.delete('the-last');
    // Every trade of this data ended: no stop order is left behind.
    expect(book.stops.size).toBe(0);
  });
});
