import { describe, expect, it } from 'vitest';
import { ChangelogMessageError, parseChangelogMessage } from '../../src/kafka/changelog-message.js';

// The Kafka changelog holds the store's versioned checkpoint records: one written before an upgrade still reads.
const T0 = Date.UTC(2024, 0, 1);
const signal = {
  id: 'trend:BTC/USDT:1704067260000', position: 'long', priceOpen: 100, priceTakeProfit: 110, priceStopLoss: 95,
  minuteEstimatedTime: 60, scheduledAt: T0, pendingAt: T0, note: null,
};
const v1 = { version: 1, state: { signal, partials: { profit: [10], loss: [] }, lastAskedAt: T0 }, lastTimestamp: T0, events: [] };

describe('changelog records across checkpoint formats', () => {
  it('a v1 record is migrated to the current format (nothing managed yet)', () => {
    const read = parseChangelogMessage(JSON.stringify({ strategy: 'trend', symbol: 'BTC/USDT', checkpoint: v1 }), 'topic t partition 0 offset 7');
    expect(read).toEqual({ strategy: 'trend', symbol: 'BTC/USDT', checkpoint: { ...v1, version: 2, state: { ...v1.state, managed: null } } });
  });

  it('a record no format describes is an error naming where it was', () => {
    const bad = JSON.stringify({ strategy: 'trend', symbol: 'BTC/USDT', checkpoint: { ...v1, version: 9 } });
    expect(() => parseChangelogMessage(bad, 'topic t partition 0 offset 8')).toThrow(ChangelogMessageError);
    expect(() => parseChangelogMessage(bad, 'topic t partition 0 offset 8')).toThrow(/^topic t partition 0 offset 8: not a lane checkpoint: checkpoint format v9 is newer/);
  });
});
