import type { Candle } from '../core/candle.js';
import { INTERVAL_MS, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
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

/** The smallest positive step between consecutive timestamps, or Infinity for fewer than two distinct ones. */
function smallestStep(candles: readonly Candle[]): number {
  let step = Infinity;
  for (let i = 1; i < candles.length; i++) {
    const d = candles[i]!.timestamp - candles[i - 1]!.timestamp;
    if (d > 0 && d < step) step = d;
  }
  return step;
}

function commonestStep(candles: readonly Candle[]): number {
  const counts = new Map<number, number>();
  let best = Infinity;
  let bestCount = 0;
  for (let i = 1; i < candles.length; i++) {
    const d = candles[i]!.timestamp - candles[i - 1]!.timestamp;
    const n = (counts.get(d) ?? 0) + 1;
    counts.set(d, n);
    if (d > 0 && n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

function intervalOfStep(step: number): Interval | undefined {
  for (const [name, ms] of Object.entries(INTERVAL_MS)) if (ms === step) return name as Interval;
  return undefined;
}

/**
 * Epoch seconds read as milliseconds land in January 1970 and step by a thousandth of an interval. Both must hold:
 * small millisecond timestamps with real steps (tests, synthetic data) are fine.
 */
function secondsError(candles: readonly Candle[], step: number, label: string): CandleFileError | null {
  const asSeconds = intervalOfStep(step * 1000);
  const first = candles[0]!.timestamp;
  if (asSeconds === undefined || first >= 1e11) return null;
  return new CandleFileError(
    `${label}: the timestamps are epoch seconds (${first} is ${isoTime(first * 1000)} in seconds, ${isoTime(first)} in ms, ` +
      `${step} apart): tickflow reads epoch milliseconds or ISO-8601 dates; multiply the timestamps by 1000`,
    label,
  );
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
  const step = smallestStep(candles);
  const ask = "; give the interval explicitly (e.g. interval: '1m')";
  if (step === Infinity) {
    throw new CandleFileError(`${label}: cannot infer the candle interval from ${candles.length} candle(s)${ask}`, label);
  }
  const seconds = secondsError(candles, step, label);
  if (seconds !== null) throw seconds;
  // An off-grid candle makes odd steps around it: the most common step then names the interval, and the grid
  // check names the candle.
  const interval = intervalOfStep(step) ?? intervalOfStep(commonestStep(candles));
  if (interval !== undefined) return interval;
  throw new CandleFileError(
    `${label}: cannot infer the candle interval: the smallest step between the first ${candles.length} candles is ` +
      `${step / 60_000} min (${step} ms), not one of ${Object.keys(INTERVAL_MS).join(' ')}${ask}`,
    label,
  );
}

/**
 * Checks a declared interval against the data: the smallest step between the first candles must be that interval.
 * A finer step means the data is not of that interval; a coarser step that is itself an interval means the data is of
 * that one (a 5m file declared 1m gives no trade). A coarser step that is no interval but a multiple of the declared
 * one is sparse data with gaps (7 min apart at 1m) and passes; any other odd step is left to the grid check, which
 * names the off-grid candle. Fewer than two candles say nothing. Returns the interval.
 *
 * @example
 * ```ts
 * checkInterval(head, '5m', 'eth-1m.json'); // throws: "eth-1m.json: the interval is given as 5m, but the first 100 candles are at least 1m apart: …"
 * ```
 */
export function checkInterval(candles: readonly Candle[], declared: Interval, label: string): Interval {
  const step = smallestStep(candles);
  if (step === Infinity || step === INTERVAL_MS[declared]) return declared;
  const seconds = secondsError(candles, step, label);
  if (seconds !== null) throw seconds;
  const found = intervalOfStep(step);
  // A step that is no interval: sparse data (a multiple of the interval) is fine, and off-grid candles are named by
  // the grid check.
  if (found === undefined) return declared;
  const apart = found ?? `${step / 60_000} min (${step} ms)`;
  throw new CandleFileError(
    `${label}: the interval is given as ${declared}, but the first ${candles.length} candles are at least ${apart} apart: ` +
      `give the data's own interval${found ? ` (${found})` : ''} or leave it out to infer it`,
    label,
  );
}
