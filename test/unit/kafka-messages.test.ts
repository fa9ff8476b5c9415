import { describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { eventMessage, laneKey, routeByAction } from '../../src/kafka/route.js';
import { candleMessage, parseCandleMessage } from '../../src/kafka/candle-message.js';

const opened = { action: 'opened', eventId: 'e1', symbol: 'ETH/BTC', strategy: 's', now: 1 } as unknown as SignalEvent;
const closed = { ...opened, action: 'closed', eventId: 'e2' } as unknown as SignalEvent;

describe('Kafka record formats', () => {
  it('routes by action, with * for every event', () => {
    const route = routeByAction({ '*': 'signals', closed: ['signals-closed', 'signals'] });
    expect(route(opened)).toEqual(['signals']);
    expect(route(closed)).toEqual(['signals', 'signals-closed']);
    expect(routeByAction({ closed: 'c' })(opened)).toEqual([]);
  });

  it('keys an event by lane with action and eventId headers', () => {
    expect(laneKey(opened)).toBe('ETH/BTC|s');
    expect(eventMessage(opened)).toEqual({ key: 'ETH/BTC|s', value: JSON.stringify(opened), headers: { action: 'opened', eventId: 'e1' } });
  });

  it('round-trips a candle and drops unknown candle fields', () => {
    const c = { symbol: 'A', interval: '5m' as const, candle: { timestamp: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 } };
    const m = candleMessage(c);
    expect(m.key).toBe('A');
    expect(parseCandleMessage(m.value as string, 'here')).toEqual(c);
    const extra = JSON.stringify({ ...c, candle: { ...c.candle, junk: true } });
    expect(parseCandleMessage(Buffer.from(extra), 'here')).toEqual(c);
  });

  it('names the record and the problem for a bad one', () => {
    expect(() => parseCandleMessage('nope', 'topic t partition 0 offset 9')).toThrow(/^topic t partition 0 offset 9: not JSON/);
    expect(() => parseCandleMessage('{"symbol":"A","interval":"1m"}', 'at')).toThrow(/^at: field 'candle': expected a candle object/);
    expect(() =>
      parseCandleMessage('{"symbol":"A","interval":"1m","candle":{"timestamp":0,"open":1,"high":1,"low":1,"close":-1,"volume":0}}', 'at'),
    ).toThrow(/at: invalid candle for A .*field 'close'/);
    expect(() => parseCandleMessage(null, 'at')).toThrow(/empty message/);
  });
});
