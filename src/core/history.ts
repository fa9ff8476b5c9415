import type { Candle } from './candle.js';
import { intervalMs, type Interval } from './intervals.js';

/**
 * The last `capacity` closed base candles of one symbol, in a ring buffer so memory stays flat whatever the length
 * of history. It is the only way strategies read the past: every read is bounded by `now`, so an unclosed candle
 * can never be seen (SEMANTICS §1, no look-ahead).
 */
export class CandleHistory {
  private readonly ring: Candle[];
  private head = 0;
  private count = 0;
  // The VWAP window's terms, filled at push time into small contiguous arrays: the price is read on every candle,
  // and summing five doubles beats chasing five candle objects through the heap.
  private readonly pv: Float64Array;
  private readonly vol: Float64Array;
  private readonly close: Float64Array;
  private slot = 0;
  private filled = 0;

  constructor(
    readonly baseMs: number,
    readonly capacity: number,
    /** Candles in the VWAP window that {@link averagePrice} is asked for most (default 5). */
    readonly window = 5,
  ) {
    this.ring = new Array<Candle>(capacity);
    this.pv = new Float64Array(window);
    this.vol = new Float64Array(window);
    this.close = new Float64Array(window);
  }

  get size(): number {
    return this.count;
  }

  push(candle: Candle): void {
    this.ring[this.head] = candle;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.count < this.capacity) this.count++;
    const j = this.slot;
    this.pv[j] = ((candle.high + candle.low + candle.close) / 3) * candle.volume;
    this.vol[j] = candle.volume;
    this.close[j] = candle.close;
    this.slot = j + 1 === this.window ? 0 : j + 1;
    if (this.filled < this.window) this.filled++;
  }

  /** The i-th newest candle (0 = newest). */
  fromNewest(i: number): Candle {
    let idx = this.head - 1 - i;
    if (idx < 0) idx += this.capacity;
    return this.ring[idx]!;
  }

  /** Volume-weighted typical price of the newest `n` candles (SEMANTICS §2); null when empty. */
  averagePrice(n: number): number | null {
    if (n === this.window) return this.windowPrice();
    const k = n < this.count ? n : this.count;
    if (k === 0) return null;
    const ring = this.ring;
    const capacity = this.capacity;
    let idx = this.head;
    let pv = 0;
    let v = 0;
    let closes = 0;
    // Walk back from the newest slot without a call per candle: this runs on every candle.
    for (let i = 0; i < k; i++) {
      idx = idx === 0 ? capacity - 1 : idx - 1;
      const c = ring[idx]!;
      pv += ((c.high + c.low + c.close) / 3) * c.volume;
      v += c.volume;
      closes += c.close;
    }
    return v > 0 ? pv / v : closes / k;
  }

  private windowPrice(): number | null {
    const k = this.filled;
    if (k === 0) return null;
    const w = this.window;
    // Oldest to newest whatever slot the ring started at: the same candles must give the same bits after a restart
    // (whose warm-up fills the ring from a different slot), or replayed runs would drift in the last digit.
    let idx = k < w ? 0 : this.slot;
    let pv = 0;
    let v = 0;
    let closes = 0;
    for (let i = 0; i < k; i++) {
      pv += this.pv[idx]!;
      v += this.vol[idx]!;
      closes += this.close[idx]!;
      idx = idx + 1 === w ? 0 : idx + 1;
    }
    return v > 0 ? pv / v : closes / k;
  }

  /**
   * Closed candles of `interval` at `now`, oldest first, at most `limit`. Intervals above the base are aggregated
   * from base candles into clock-aligned buckets; a bucket is returned only once it has closed
   * (`bucketStart + interval ≤ now`), and never when history no longer holds its start.
   */
  candles(interval: Interval, limit: number, now: number): Candle[] {
    const bucketMs = intervalMs(interval);
    if (!Number.isInteger(limit) || limit <= 0) throw new Error(`candles(${interval}, ${limit}): limit must be a positive integer`);
    if (bucketMs < this.baseMs || bucketMs % this.baseMs !== 0) {
      throw new Error(
        `candles(${interval}): the source's base interval is ${this.baseMs / 60_000}m; only multiples of it can be served`,
      );
    }
    const out: Candle[] = [];
    if (bucketMs === this.baseMs) {
      for (let i = 0; i < this.count && out.length < limit; i++) {
        const c = this.fromNewest(i);
        if (c.timestamp + bucketMs <= now) out.push(c);
      }
      return out.reverse();
    }
    const full = this.count === this.capacity;
    const oldest = this.count > 0 ? this.fromNewest(this.count - 1).timestamp : 0;
    let agg: { timestamp: number; open: number; high: number; low: number; close: number; volume: number } | null = null;
    for (let i = 0; i < this.count; i++) {
      const c = this.fromNewest(i);
      const start = c.timestamp - (c.timestamp % bucketMs);
      if (start + bucketMs > now) continue;
      if (agg === null || agg.timestamp !== start) {
        if (agg !== null) {
          out.push(agg);
          if (out.length === limit) return out.reverse();
        }
        agg = { timestamp: start, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
      } else {
        agg.open = c.open;
        if (c.high > agg.high) agg.high = c.high;
        if (c.low < agg.low) agg.low = c.low;
        agg.volume += c.volume;
      }
    }
    // The oldest bucket may have lost its first candles to the ring's capacity: an incomplete bucket is not a candle.
    if (agg !== null && !(full && agg.timestamp < oldest)) out.push(agg);
    return out.reverse();
  }
}
