import { candleFromRow, checkCandle, CandleError, isValidCandle, type Candle } from '../core/candle.js';
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
  return new NormalizedCandles(input, options);
}

/** A class with monomorphic methods: measured ~40 % faster per candle than the same logic in closures. */
class NormalizedCandles implements Pull<Candle> {
  private index = -1;
  private last = -Infinity;
  // One result object reused for every candle: consumers read `value` before asking for the next (no GC per candle).
  private readonly result = { done: false as const, value: undefined as unknown as Candle };
  private readonly validate: boolean;

  constructor(
    private readonly input: Pull<CandleInput>,
    private readonly options: NormalizeOptions,
  ) {
    this.validate = options.validate;
  }

  next(): IteratorResult<Candle> | Promise<IteratorResult<Candle>> {
    for (;;) {
      const r = this.input.next();
      if (isPromise(r)) return r.then((v) => this.accept(v) ?? this.next());
      const out = this.accept(r);
      if (out !== null) return out;
    }
  }

  close(): void | Promise<void> {
    return this.input.close?.();
  }

  private accept(r: IteratorResult<CandleInput>): IteratorResult<Candle> | null {
    if (r.done) return r as IteratorResult<Candle>;
    this.index++;
    const raw = r.value;
    const c = Array.isArray(raw) ? candleFromRow(raw) : (raw as Candle);
    // Only a candle that fails the fast check pays for the detailed (zod) explanation.
    if (this.validate && !isValidCandle(c)) this.explain(c);
    const t = c.timestamp;
    if (t > this.last) {
      this.last = t;
      this.result.value = c;
      return this.result;
    }
    if (t === this.last) {
      this.options.onDuplicate?.(c);
      return null;
    }
    const { symbol, label } = this.options;
    throw new CandleError(
      `${label} index ${this.index}: out-of-order candle for ${symbol} at ${isoTime(t)} (${t}): ` +
        `field 'timestamp' must be after the previous candle's ${isoTime(this.last)}`,
      symbol,
      t,
      'timestamp',
    );
  }

  private explain(c: unknown): never {
    checkCandle(c, { symbol: this.options.symbol, at: `${this.options.label} index ${this.index}` });
    throw new CandleError(`${this.options.label} index ${this.index}: invalid candle for ${this.options.symbol}`, this.options.symbol, undefined, undefined);
  }
}
