import type { Candle } from '../core/candle.js';
import { isoTime } from '../core/time.js';

/**
 * When an empty answer is a gap (SEMANTICS §1: no trades, no candle) and when it is a fault of the exchange.
 *
 * Slots the exchange's clock says have not settled yet (closed less than `settleMs` ago) may simply not be
 * published: an empty answer for them is no news, and nothing is recorded. For settled slots candles must exist,
 * so an empty answer is a fault ({@link EmptyPageError}: reported and asked again, the cursor stays) until
 * `answers` consecutive answers to the same request (default 3, a backoff apart) all say the range is empty: then
 * the exchange consistently says so, and the range is a gap (cached as such, the cursor moves past it).
 * A page that does hold candles proves the slots before its last candle: missing ones among them are gaps.
 */
export const GAP_ANSWERS = 3;

/** An empty answer for slots that have closed and settled: asked again before it is believed. */
export class EmptyPageError extends Error {
  override readonly name = 'EmptyPageError';
}

/**
 * The gap rule for one page request: give it each answer; it returns the candles, or throws
 * {@link EmptyPageError} for an empty answer that is not yet believed.
 */
export function gapRule(answers: number = GAP_ANSWERS): (candles: Candle[], from: number, trustedEnd: number) => Candle[] {
  let empty = 0;
  return (candles, from, trustedEnd) => {
    if (candles.length > 0 || from >= trustedEnd) return candles;
    empty++;
    if (empty >= answers) return candles;
    throw new EmptyPageError(
      `no candles in [${isoTime(from)}, ${isoTime(trustedEnd)}) although the exchange's clock says they closed ` +
        `(empty answer ${empty} of ${answers} before it counts as a gap)`,
    );
  };
}
