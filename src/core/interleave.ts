import type { SymbolCandle } from './candle.js';
import type { AccountInput } from './equity.js';
import type { SignalEvent } from './events.js';
import { INTERVAL_MS } from './intervals.js';

/**
 * Candles and a run's events merged in the order the account needs: by instant (a candle at its close, an event at
 * `now`), the candles of an instant before its events — the order in which the engine produced them. Both inputs must
 * already be in time order (a merged source, the events of a run); the merge is lazy and holds nothing.
 *
 * @example
 * ```ts
 * const stats = accountOver(interleaveByInstant(candles, events), { money, config });
 * ```
 */
export function* interleaveByInstant(candles: Iterable<SymbolCandle>, events: Iterable<SignalEvent>): Generator<AccountInput> {
  const pending = events[Symbol.iterator]();
  let next = pending.next();
  for (const c of candles) {
    const closeAt = c.candle.timestamp + INTERVAL_MS[c.interval];
    while (!next.done && next.value.now < closeAt) {
      yield next.value;
      next = pending.next();
    }
    yield c;
  }
  while (!next.done) {
    yield next.value;
    next = pending.next();
  }
}
