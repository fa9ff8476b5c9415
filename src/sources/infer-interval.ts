import type { Candle } from '../core/candle.js';
import { INTERVAL_MS, type Interval } from '../core/intervals.js';
import { isPromise, type Pull } from './pull.js';
import { CandleFileError } from './syntax-error.js';

/** How many leading candles interval inference looks at. */
export const INFER_INTERVAL_CANDLES = 100;

/**
 * Reads up to `count` values ahead and returns them with a reader that replays them and then goes on with the
 * input: peeking without losing anything. Stays synchronous while the input answers synchronously.
 *
 * @example
 * ```ts
 * const { head, rest } = await readAhead(pull, 100); // rest yields head[0], head[1], … then the remainder
 * ```
 */
export function readAhead<T>(input: Pull<T>, count: number): { head: T[]; rest: Pull<T> } | Promise<{ head: T[]; rest: Pull<T> }> {
  const head: T[] = [];
  let exhausted = false;
  const replay = (): Pull<T> => {
    let i = 0;
    const result = { done: false as const, value: undefined as unknown as T };
    return {
      next() {
        if (i < head.length) {
          result.value = head[i++]!;
          return result;
        }
        // Don't ask an input that already said done: not every reader tolerates it.
        return exhausted ? { done: true, value: undefined } : input.next();
      },
      close: input.close ? () => input.close!() : undefined,
    };
  };
  const take = (r: IteratorResult<T>): boolean => {
    if (r.done) {
      exhausted = true;
      return false;
    }
    head.push(r.value);
    return head.length < count;
  };
  const loop = (): { head: T[]; rest: Pull<T> } | Promise<{ head: T[]; rest: Pull<T> }> => {
    while (head.length < count) {
      const r = input.next();
      if (isPromise(r)) return r.then((v) => (take(v) ? loop() : { head, rest: replay() }));
      if (!take(r)) break;
    }
    return { head, rest: replay() };
  };
  return loop();
}

/**
 * The interval of candles from the smallest positive step between their timestamps, which must be a known
 * interval. `label` (a file path) names the input in the error, which asks for an explicit interval.
 *
 * @example
 * ```ts
 * inferInterval([{ timestamp: 0, … }, { timestamp: 300_000, … }], 'eth.csv'); // '5m'
 * ```
 */
export function inferInterval(candles: readonly Candle[], label: string): Interval {
  let step = Infinity;
  for (let i = 1; i < candles.length; i++) {
    const d = candles[i]!.timestamp - candles[i - 1]!.timestamp;
    if (d > 0 && d < step) step = d;
  }
  const ask = "; give the interval explicitly (e.g. interval: '1m')";
  if (step === Infinity) {
    throw new CandleFileError(`${label}: cannot infer the candle interval from ${candles.length} candle(s)${ask}`, label);
  }
  for (const [name, ms] of Object.entries(INTERVAL_MS)) if (ms === step) return name as Interval;
  throw new CandleFileError(
    `${label}: cannot infer the candle interval: the smallest step between the first ${candles.length} candles is ` +
      `${step / 60_000} min (${step} ms), not one of ${Object.keys(INTERVAL_MS).join(' ')}${ask}`,
    label,
  );
}
