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

/**
 * Candles and a run's events merged exactly as the engine interleaved them: each candle, then the events its lanes
 * produced at that instant (events are matched to the candle of their symbol at their `now`), so an equity-percent
 * stake is sized from the same marks the run used — at one instant, the symbols after it in merge order are still at
 * their previous close. Events no candle of theirs precedes (a `closeAtEnd` settlement) follow in order. Lazy; holds
 * nothing.
 *
 * @example
 * ```ts
 * const report = accountReport(interleaveAsRun(candles, events), { money: config, config });
 * ```
 */
export function* interleaveAsRun(candles: Iterable<SymbolCandle>, events: Iterable<SignalEvent>): Generator<AccountInput> {
  const pending = events[Symbol.iterator]();
  let next = pending.next();
  for (const c of candles) {
    const closeAt = c.candle.timestamp + INTERVAL_MS[c.interval];
    while (!next.done && next.value.now < closeAt) {
      yield next.value;
      next = pending.next();
    }
    yield c;
    while (!next.done && next.value.now === closeAt && next.value.symbol === c.symbol) {
      yield next.value;
      next = pending.next();
    }
  }
  while (!next.done) {
    yield next.value;
    next = pending.next();
  }
}
