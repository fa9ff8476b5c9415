import type { Candle } from '../core/candle.js';

/**
 * `t - (t % ms)`, the start of the clock-aligned bucket holding `t`: the same buckets `CandleHistory.candles` serves
 * (floor of the quotient when it provably brackets `t`, the modulo otherwise), so an indicator and a strategy reading
 * `ctx.candles(interval)` see the same aggregated candles.
 */
export function bucketStart(t: number, ms: number): number {
  if (t >= 0 && t <= Number.MAX_SAFE_INTEGER) {
    const start = Math.floor(t / ms) * ms;
    if (start <= t && t < start + ms) return start;
  }
  return t - (t % ms);
}

/**
 * Base candles into closed buckets of a higher interval, the rule of `CandleHistory.candles`: a bucket is a candle
 * once it closed (`start + interval ≤ now`), made of whatever base candles it got — a gap leaves it with fewer, a
 * bucket without any is no candle. It closes at the step of its last base slot, or, after a gap, at the step of the
 * first candle past it. Each closed bucket is a new frozen candle (the library may keep its inputs).
 */
export class BucketAggregator {
  private start = NaN;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private volume = 0;
  /** The pending bucket lost its first candles (a full history ring when primed): it is no candle. */
  private partial = false;

  constructor(
    readonly bucketMs: number,
    private readonly baseMs: number,
    private readonly emit: (bucket: Candle) => void,
  ) {}

  /** The base candle that closes at `c.timestamp + baseMs`. */
  push(c: Candle): void {
    const t = c.timestamp;
    const start = this.start;
    if (!(t >= start && t < start + this.bucketMs)) {
      // A candle past the pending bucket: that bucket closed (at its end, before this candle's close).
      if (start === start) this.flush();
      this.start = bucketStart(t, this.bucketMs);
      this.open = c.open;
      this.high = c.high;
      this.low = c.low;
      this.close = c.close;
      this.volume = c.volume;
    } else {
      if (c.high > this.high) this.high = c.high;
      if (c.low < this.low) this.low = c.low;
      this.close = c.close;
      this.volume += c.volume;
    }
    if (t + this.baseMs >= this.start + this.bucketMs) this.flush();
  }

  /** Start mid-bucket: the base candles already in history, whose bucket is not closed yet. */
  prime(candles: readonly Candle[], partial: boolean): void {
    for (const c of candles) this.push(c);
    this.partial = partial && candles.length > 0;
  }

  private flush(): void {
    const start = this.start;
    this.start = NaN;
    if (this.partial) {
      this.partial = false;
      return;
    }
    this.emit(Object.freeze({ timestamp: start, open: this.open, high: this.high, low: this.low, close: this.close, volume: this.volume }));
  }
}
