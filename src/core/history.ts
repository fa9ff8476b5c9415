import type { Candle } from './candle.js';
import { intervalMs, type Interval } from './intervals.js';

/** Slots a ring starts with (it doubles up to its capacity as candles come). */
const INITIAL_SLOTS = 512;

/** What {@link CandleHistory.candles} handed out at one instant for one interval, shared by the lanes that ask then. */
interface Served {
  readonly bucketMs: number;
  /** Frozen candles, newest first. */
  readonly list: Candle[];
  /** The list holds every candle there is at this instant (a larger limit finds no more). */
  complete: boolean;
}

/**
 * The last `capacity` closed base candles of one symbol, in a ring of typed columns (one Float64Array per field:
 * 48 bytes a candle, under 0.5 MB at the default 10,080) so memory stays flat whatever the length of history and
 * thousands of symbols fit. It is the only way strategies read the past: a read at `now` sees the `capacity` newest
 * candles closed by `now` — exactly what the ring held when the candle closing at `now` came in — so an unclosed
 * candle can never be seen (SEMANTICS §1, no look-ahead) and a lane whose step runs late sees what it would have
 * seen on time. For that, while a step of this symbol waits (an async strategy, or steps queued behind one:
 * {@link hold}), newer candles are added without dropping old ones; the ring returns to `capacity` once nothing
 * waits. Candle objects are made only when a strategy asks, once per instant and interval, frozen and shared by
 * every lane of the symbol that asks at that instant.
 */
export class CandleHistory {
  private ts: Float64Array;
  private open: Float64Array;
  private high: Float64Array;
  private low: Float64Array;
  private closes: Float64Array;
  private volume: Float64Array;
  private head = 0;
  private count = 0;
  private holds = 0;
  // The VWAP window's terms, filled at push time into small contiguous arrays: the price is read on every candle,
  // and summing five doubles beats walking five ring slots with wrap-around. Each term is written twice (at its slot
  // and `window` further), so the window, oldest to newest, is always one unbroken run: no wrap-around per term.
  private readonly pv: Float64Array;
  private readonly vol: Float64Array;
  private readonly close: Float64Array;
  private slot = 0;
  private filled = 0;
  // The window's price as of the newest candle, computed at push: read as a field, it crosses no call boundary that
  // would box it (a double returned from a call that is not inlined is a heap allocation, once per candle).
  private windowAverage = NaN;
  /** The instant of {@link served}: lanes of one symbol ask at the same `now`, one after another. */
  private servedAt = NaN;
  private readonly served: Served[] = [];

  constructor(
    readonly baseMs: number,
    readonly capacity: number,
    /** Candles in the VWAP window that {@link averagePrice} is asked for most (default 5). */
    readonly window = 5,
  ) {
    // Columns start small and double up to the capacity: a thousand symbols of one day's candles each stay small.
    const size = Math.min(capacity, INITIAL_SLOTS);
    this.ts = new Float64Array(size);
    this.open = new Float64Array(size);
    this.high = new Float64Array(size);
    this.low = new Float64Array(size);
    this.closes = new Float64Array(size);
    this.volume = new Float64Array(size);
    this.pv = new Float64Array(2 * window);
    this.vol = new Float64Array(2 * window);
    this.close = new Float64Array(2 * window);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the ring's columns and the VWAP window (what a symbol costs, whatever its candles). */
  get byteSize(): number {
    return 6 * this.ts.byteLength + 3 * this.pv.byteLength;
  }

  push(candle: Candle): void {
    if (this.count === this.ts.length && (this.count < this.capacity || this.holds > 0)) this.grow();
    // What was served is of an older instant (or, on a warm-up that pushes the past, of other candles).
    this.servedAt = NaN;
    const h = this.head;
    this.ts[h] = candle.timestamp;
    this.open[h] = candle.open;
    this.high[h] = candle.high;
    this.low[h] = candle.low;
    this.closes[h] = candle.close;
    this.volume[h] = candle.volume;
    this.head = h + 1 === this.ts.length ? 0 : h + 1;
    if (this.count < this.capacity || this.holds > 0) this.count++;
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
    if (this.ts.length > 2 * this.capacity) this.relayout(this.capacity);
  }

  /** {@link averagePrice} of the configured window at the newest candle; NaN while empty. */
  get price(): number {
    return this.windowAverage;
  }

  /** The i-th newest candle (0 = newest), as a new frozen object. */
  fromNewest(i: number): Candle {
    const k = this.slotOf(i);
    return Object.freeze({ timestamp: this.ts[k]!, open: this.open[k]!, high: this.high[k]!, low: this.low[k]!, close: this.closes[k]!, volume: this.volume[k]! });
  }

  /** The ring slot of the i-th newest candle. */
  private slotOf(i: number): number {
    const k = this.head - 1 - i;
    return k < 0 ? k + this.ts.length : k;
  }

  /**
   * Twice the room (up to the capacity while nothing is held), the kept candles oldest first from slot 0: a few
   * times while the ring first fills, and while held.
   */
  private grow(): void {
    const twice = Math.max(2 * this.ts.length, 16);
    this.relayout(this.holds > 0 ? twice : Math.min(twice, this.capacity));
  }

  /** The newest `count` candles (at most `size`) into fresh columns of `size` slots, oldest at slot 0. */
  private relayout(size: number): void {
    const kept = Math.min(this.count, size);
    const columns = [this.ts, this.open, this.high, this.low, this.closes, this.volume].map((old) => {
      const column = new Float64Array(size);
      for (let i = 0; i < kept; i++) column[i] = old[this.slotOf(kept - 1 - i)]!;
      return column;
    });
    [this.ts, this.open, this.high, this.low, this.closes, this.volume] = columns as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    this.count = kept;
    this.head = kept === size ? 0 : kept;
  }

  /** Volume-weighted typical price of the newest `n` candles (SEMANTICS §2); null when empty. */
  averagePrice(n: number): number | null {
    if (n === this.window) return this.filled === 0 ? null : this.windowAverage;
    const k = n < this.count ? n : this.count;
    if (k === 0) return null;
    const size = this.ts.length;
    const { high, low, closes, volume } = this;
    let idx = this.head;
    let pv = 0;
    let v = 0;
    let sum = 0;
    // Walk back from the newest slot without a call per candle.
    for (let i = 0; i < k; i++) {
      idx = idx === 0 ? size - 1 : idx - 1;
      pv += ((high[idx]! + low[idx]! + closes[idx]!) / 3) * volume[idx]!;
      v += volume[idx]!;
      sum += closes[idx]!;
    }
    return v > 0 ? pv / v : sum / k;
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
   * (`bucketStart + interval ≤ now`), and never when history no longer holds its start. The array is the caller's
   * own; the candles are frozen and shared with every lane of the symbol asking at the same instant (no strategy
   * can change another's past).
   */
  candles(interval: Interval, limit: number, now: number): Candle[] {
    const bucketMs = intervalMs(interval);
    if (!Number.isInteger(limit) || limit <= 0) throw new Error(`candles(${interval}, ${limit}): limit must be a positive integer`);
    if (bucketMs < this.baseMs || bucketMs % this.baseMs !== 0) {
      throw new Error(
        `candles(${interval}): the source's base interval is ${this.baseMs / 60_000}m; only multiples of it can be served`,
      );
    }
    // Entries are kept from instant to instant and emptied (the arrays handed out are copies): one per interval asked.
    const all = this.served;
    if (now !== this.servedAt) {
      this.servedAt = now;
      for (let i = 0; i < all.length; i++) {
        all[i]!.list.length = 0;
        all[i]!.complete = false;
      }
    }
    let served: Served | undefined;
    for (let i = 0; i < all.length; i++) if (all[i]!.bucketMs === bucketMs) served = all[i];
    if (served === undefined) {
      served = { bucketMs, list: [], complete: false };
      all.push(served);
    }
    if (served.list.length < limit && !served.complete) this.materialise(served, limit, now);
    const list = served.list;
    const k = list.length < limit ? list.length : limit;
    const out = new Array<Candle>(k);
    for (let i = 0; i < k; i++) out[i] = list[k - 1 - i]!;
    return out;
  }

  /** Extends `served.list` (newest first) to `limit` candles of its interval at `now`, or to all there are. */
  private materialise(served: Served, limit: number, now: number): void {
    const { baseMs } = this;
    const { bucketMs, list } = served;
    const { ts, open, high, low, closes, volume } = this;
    // Skip what closed after `now` (held for a step that runs late): the window is the `capacity` candles before it.
    let first = 0;
    while (first < this.count && ts[this.slotOf(first)]! + baseMs > now) first++;
    const end = Math.min(this.count, first + this.capacity);
    if (bucketMs === baseMs) {
      const stop = Math.min(end, first + limit);
      for (let i = first + list.length; i < stop; i++) list.push(this.fromNewest(i));
      served.complete = stop === end;
      return;
    }
    // Buckets newest first; the ones already served are made again only as numbers and skipped.
    const have = list.length;
    let made = 0;
    let open0 = 0;
    let high0 = 0;
    let low0 = 0;
    let close0 = 0;
    let volume0 = 0;
    let current = NaN;
    // The bucket start is computed again only when a candle falls outside the bucket of the one before it, i.e. once
    // per bucket (the same value the modulo would give inside the bucket).
    let start = Infinity;
    for (let i = first; i < end; i++) {
      const k = this.slotOf(i);
      const t = ts[k]!;
      if (!(t >= start && t < start + bucketMs && start >= 0)) start = bucketStart(t, bucketMs);
      if (start + bucketMs > now) continue;
      if (start !== current) {
        if (current === current) {
          if (made >= have) list.push(frozenCandle(current, open0, high0, low0, close0, volume0));
          if (++made === limit) return;
        }
        current = start;
        open0 = open[k]!;
        high0 = high[k]!;
        low0 = low[k]!;
        close0 = closes[k]!;
        volume0 = volume[k]!;
      } else {
        open0 = open[k]!;
        if (high[k]! > high0) high0 = high[k]!;
        if (low[k]! < low0) low0 = low[k]!;
        volume0 += volume[k]!;
      }
    }
    served.complete = true;
    // The oldest bucket may have lost its first candles to the ring's capacity: an incomplete bucket is not a candle.
    if (current === current && !(end - first === this.capacity && current < ts[this.slotOf(end - 1)]!) && made >= have) {
      list.push(frozenCandle(current, open0, high0, low0, close0, volume0));
    }
  }
}

function frozenCandle(timestamp: number, open: number, high: number, low: number, close: number, volume: number): Candle {
  return Object.freeze({ timestamp, open, high, low, close, volume });
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
