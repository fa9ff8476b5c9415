import type { Candle } from './candle.js';
import { intervalMs, type Interval } from './intervals.js';

/**
 * The last `capacity` closed base candles of one symbol, in a ring buffer so memory stays flat whatever the length
 * of history. It is the only way strategies read the past: a read at `now` sees the `capacity` newest candles closed
 * by `now` — exactly what the ring held when the candle closing at `now` came in — so an unclosed candle can never
 * be seen (SEMANTICS §1, no look-ahead) and a lane whose step runs late sees what it would have seen on time.
 * For that, while a step of this symbol waits (an async strategy, or steps queued behind one: {@link hold}), newer
 * candles are added without dropping old ones; the ring returns to `capacity` once nothing waits.
 */
export class CandleHistory {
  private ring: Candle[];
  private head = 0;
  private count = 0;
  private holds = 0;
  /** Candles ever pushed: the newest candle's sequence number is `pushed - 1`. */
  private pushed = 0;
  // The run of candles (by sequence number, inclusive) known to be frozen: consecutive reads overlap, so each read
  // freezes only what is new to it instead of asking every candle whether it is frozen (a runtime call each).
  private frozenLo = 0;
  private frozenHi = -1;
  // The VWAP window's terms, filled at push time into small contiguous arrays: the price is read on every candle,
  // and summing five doubles beats chasing five candle objects through the heap. Each term is written twice (at its
  // slot and `window` further), so the window, oldest to newest, is always one unbroken run: no wrap-around per term.
  private readonly pv: Float64Array;
  private readonly vol: Float64Array;
  private readonly close: Float64Array;
  private slot = 0;
  private filled = 0;
  // The window's price as of the newest candle, computed at push: read as a field, it crosses no call boundary that
  // would box it (a double returned from a call that is not inlined is a heap allocation, once per candle).
  private windowAverage = NaN;

  constructor(
    readonly baseMs: number,
    readonly capacity: number,
    /** Candles in the VWAP window that {@link averagePrice} is asked for most (default 5). */
    readonly window = 5,
  ) {
    this.ring = new Array<Candle>(capacity);
    this.pv = new Float64Array(2 * window);
    this.vol = new Float64Array(2 * window);
    this.close = new Float64Array(2 * window);
  }

  get size(): number {
    return this.count;
  }

  push(candle: Candle): void {
    const ring = this.ring;
    if (this.count === ring.length && this.holds > 0) this.grow();
    this.ring[this.head] = candle;
    this.head = this.head + 1 === this.ring.length ? 0 : this.head + 1;
    if (this.count < this.capacity || this.holds > 0) this.count++;
    this.pushed++;
    const j = this.slot;
    const w = this.window;
    const pv = ((candle.high + candle.low + candle.close) / 3) * candle.volume;
    this.pv[j] = pv;
    this.pv[j + w] = pv;
    this.vol[j] = candle.volume;
    this.vol[j + w] = candle.volume;
    this.close[j] = candle.close;
    this.close[j + w] = candle.close;
    this.slot = j + 1 === w ? 0 : j + 1;
    if (this.filled < this.window) this.filled++;
    this.windowAverage = this.windowPrice();
  }

  /**
   * A step of this symbol is waiting: keep every candle from here on until {@link release}, so the candles it will
   * read are still there however many newer ones arrive meanwhile. Counted: several waiting stages may hold.
   */
  hold(): void {
    this.holds++;
  }

  release(): void {
    if (this.holds === 0 || --this.holds > 0) return;
    if (this.count > this.capacity) this.count = this.capacity;
    // A queue that grew the ring far past its capacity gives the memory back (a flat footprint between waits).
    if (this.ring.length > 2 * this.capacity) this.relayout(this.capacity);
  }

  /** {@link averagePrice} of the configured window at the newest candle; NaN while empty. */
  get price(): number {
    return this.windowAverage;
  }

  /** The i-th newest candle (0 = newest). */
  fromNewest(i: number): Candle {
    let idx = this.head - 1 - i;
    if (idx < 0) idx += this.ring.length;
    return this.ring[idx]!;
  }

  /** Freezes the candles from the `from`-th newest up to (not including) the `to`-th newest. */
  private freeze(from: number, to: number): void {
    if (to <= from) return;
    const newest = this.pushed - 1;
    const lo = newest - (to - 1);
    const hi = newest - from;
    const known = this.frozenLo <= this.frozenHi;
    for (let seq = lo; seq <= hi; seq++) {
      if (known && seq >= this.frozenLo && seq <= this.frozenHi) {
        seq = this.frozenHi;
        continue;
      }
      Object.freeze(this.fromNewest(newest - seq));
    }
    if (known && lo <= this.frozenHi + 1 && hi >= this.frozenLo - 1) {
      if (lo < this.frozenLo) this.frozenLo = lo;
      if (hi > this.frozenHi) this.frozenHi = hi;
    } else {
      this.frozenLo = lo;
      this.frozenHi = hi;
    }
  }

  /** Twice the room, the kept candles oldest first from slot 0 (only while held: never on a plain run's path). */
  private grow(): void {
    this.relayout(Math.max(2 * this.ring.length, 16));
  }

  /** The newest `count` candles (at most `size`) into a fresh ring of `size` slots, oldest at slot 0. */
  private relayout(size: number): void {
    const kept = Math.min(this.count, size);
    const ring = new Array<Candle>(size);
    for (let i = 0; i < kept; i++) ring[i] = this.fromNewest(kept - 1 - i);
    this.ring = ring;
    this.count = kept;
    this.head = kept === size ? 0 : kept;
  }

  /** Volume-weighted typical price of the newest `n` candles (SEMANTICS §2); null when empty. */
  averagePrice(n: number): number | null {
    if (n === this.window) return this.filled === 0 ? null : this.windowAverage;
    const k = n < this.count ? n : this.count;
    if (k === 0) return null;
    const ring = this.ring;
    const capacity = ring.length;
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

  private windowPrice(): number {
    const k = this.filled;
    // Oldest to newest whatever slot the ring started at: the same candles must give the same bits after a restart
    // (whose warm-up fills the ring from a different slot), or replayed runs would drift in the last digit.
    const from = k < this.window ? 0 : this.slot;
    const end = from + k;
    const pvs = this.pv;
    const vols = this.vol;
    let pv = 0;
    let v = 0;
    for (let i = from; i < end; i++) {
      pv += pvs[i]!;
      v += vols[i]!;
    }
    if (v > 0) return pv / v;
    // No volume traded: the mean of the closes, summed only now (rare), in the same order.
    const closes = this.close;
    let sum = 0;
    for (let i = from; i < end; i++) sum += closes[i]!;
    return sum / k;
  }

  /**
   * Closed candles of `interval` at `now`, oldest first, at most `limit`. Intervals above the base are aggregated
   * from base candles into clock-aligned buckets; a bucket is returned only once it has closed
   * (`bucketStart + interval ≤ now`), and never when history no longer holds its start. The array and the
   * aggregated candles are the caller's own; base candles are the ones every lane of the symbol reads (and the
   * engine checks take-profits against), so they are handed out frozen: no strategy can change another's past.
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
    const baseMs = this.baseMs;
    // Skip what closed after `now` (held for a step that runs late): the window is the `capacity` candles before it.
    let first = 0;
    while (first < this.count && this.fromNewest(first).timestamp + baseMs > now) first++;
    const end = Math.min(this.count, first + this.capacity);
    if (bucketMs === baseMs) {
      const stop = Math.min(end, first + limit);
      this.freeze(first, stop);
      for (let i = first; i < stop; i++) out.push(this.fromNewest(i));
      return out.reverse();
    }
    let agg: { timestamp: number; open: number; high: number; low: number; close: number; volume: number } | null = null;
    // The bucket start is computed again only when a candle falls outside the bucket of the one before it, i.e. once
    // per bucket (the same value the modulo would give inside the bucket).
    let start = Infinity;
    for (let i = first; i < end; i++) {
      const c = this.fromNewest(i);
      const t = c.timestamp;
      if (!(t >= start && t < start + bucketMs && start >= 0)) start = bucketStart(t, bucketMs);
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
    // (Read only here: the oldest candle is a week back in memory, a cache miss the early return above avoids.)
    if (agg !== null && !(end - first === this.capacity && agg.timestamp < this.fromNewest(end - 1).timestamp)) out.push(agg);
    return out.reverse();
  }
}

/**
 * `t - (t % ms)`, the start of the bucket holding `t`. A float modulo is a slow library call: for a safe time at or
 * after the epoch the quotient's floor gives the same multiple, taken only when it provably brackets `t` (a quotient
 * rounded to the next integer would not).
 */
function bucketStart(t: number, ms: number): number {
  if (t >= 0 && t <= Number.MAX_SAFE_INTEGER) {
    const start = Math.floor(t / ms) * ms;
    if (start <= t && t < start + ms) return start;
  }
  return t - (t % ms);
}
