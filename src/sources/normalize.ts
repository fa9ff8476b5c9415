import { candleFromRow, checkCandle, CandleError, type Candle } from '../core/candle.js';
import { isoTime } from '../core/time.js';
import { isPromise, type Pull } from './pull.js';

/** A candle as input may give it: an object, or an exchange row `[ts, o, h, l, c, v]`. */
export type CandleInput = Candle | readonly unknown[];

export interface NormalizeOptions {
  readonly symbol: string;
  /** Names the input in errors: a file name, `array`, `feed`. */
  readonly label: string;
  /** Whether items still need validating (file readers validate themselves with line numbers). */
  readonly validate: boolean;
  readonly onDuplicate?: (candle: Candle) => void;
}

/**
 * One symbol's candles checked at the boundary (SEMANTICS §1): valid, strictly increasing in time; a duplicate
 * timestamp is dropped (first wins) and reported, an out-of-order candle is an error.
 */
export function normalizeCandles(input: Pull<CandleInput>, options: NormalizeOptions): Pull<Candle> {
  let index = -1;
  let last = -Infinity;
  const { symbol, label } = options;
  // One result object reused for every candle: consumers read `value` before asking for the next (no GC per candle).
  const result = { done: false as const, value: undefined as unknown as Candle };
  const origin = { symbol, at: () => `${label} index ${index}` };
  const accept = (r: IteratorResult<CandleInput>): IteratorResult<Candle> | null => {
    if (r.done) return r as IteratorResult<Candle>;
    index++;
    const raw = r.value;
    const candle = Array.isArray(raw) ? candleFromRow(raw) : (raw as Candle);
    const c = options.validate ? checkCandle(candle, origin) : candle;
    if (c.timestamp > last) {
      last = c.timestamp;
      result.value = c;
      return result;
    }
    if (c.timestamp === last) {
      options.onDuplicate?.(c);
      return null;
    }
    throw new CandleError(
      `${label} index ${index}: out-of-order candle for ${symbol} at ${isoTime(c.timestamp)} (${c.timestamp}): ` +
        `field 'timestamp' must be after the previous candle's ${isoTime(last)}`,
      symbol,
      c.timestamp,
      'timestamp',
    );
  };
  const next = (): IteratorResult<Candle> | Promise<IteratorResult<Candle>> => {
    for (;;) {
      const r = input.next();
      if (isPromise(r)) return r.then((v) => accept(v) ?? next());
      const out = accept(r);
      if (out !== null) return out;
    }
  };
  return { next, close: input.close ? () => input.close!() : undefined };
}
