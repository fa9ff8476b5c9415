import type { SignalEvent } from '../../src/core/events.js';

/**
 * Replays events in order and returns the most positions open at once (an `opened` takes a slot, a `closed`
 * frees it), keyed by (strategy, symbol). Fails on an `opened` for a lane that already holds a position.
 */
export function maxOpenPositions(events: readonly SignalEvent[]): number {
  const open = new Set<string>();
  let max = 0;
  for (const e of events) {
    const key = `${e.strategy}|${e.symbol}`;
    if (e.action === 'opened') {
      if (open.has(key)) throw new Error(`${key} opened twice at ${e.now}`);
      open.add(key);
      max = Math.max(max, open.size);
    } else if (e.action === 'closed') {
      open.delete(key);
    }
  }
  return max;
}
