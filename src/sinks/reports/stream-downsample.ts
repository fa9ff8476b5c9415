import type { Point } from './downsample.js';

/** One bucket: its first, lowest, highest and last point (x order kept when drawn). */
interface Bucket {
  first: Point;
  low: Point;
  high: Point;
  last: Point;
}

/**
 * A series of any length kept in a fixed number of points, fed one point at a time (x never decreasing): time is cut
 * into buckets of equal width, each keeping its first, lowest, highest and last point; when the buckets would exceed
 * `maxPoints / 4`, neighbours merge pairwise and the width doubles. So memory never exceeds `maxPoints` points, the
 * true extremes and the first and last point survive, and the same input always gives the same output.
 *
 * @example
 * ```ts
 * const line = new StreamDownsampler(1000);
 * for (const p of equityPoints) line.add(p.x, p.y);
 * lineChart([{ name: 'equity', color, points: line.points() }], { title: 'Equity' });
 * ```
 */
export class StreamDownsampler {
  private readonly buckets: Bucket[] = [];
  private readonly maxBuckets: number;
  private origin = Number.NaN;
  private width: number;
  private count = 0;

  /** `initialWidth`: the first bucket width in x units (1 minute by default; it grows as needed). */
  constructor(maxPoints: number, initialWidth = 60_000) {
    if (!(maxPoints >= 4)) throw new RangeError(`downsampling: maxPoints must be ≥ 4, got ${maxPoints}`);
    this.maxBuckets = Math.floor(maxPoints / 4);
    this.width = initialWidth;
  }

  /** Points seen (not kept). */
  get seen(): number {
    return this.count;
  }

  add(x: number, y: number): void {
    this.count += 1;
    if (this.origin !== this.origin) this.origin = x;
    const index = Math.floor((x - this.origin) / this.width);
    const current = this.buckets[this.buckets.length - 1];
    if (current !== undefined && this.indexOf(current) === index) {
      const p = { x, y };
      if (y < current.low.y) current.low = p;
      if (y > current.high.y) current.high = p;
      current.last = p;
      return;
    }
    const p = { x, y };
    this.buckets.push({ first: p, low: p, high: p, last: p });
    while (this.buckets.length > this.maxBuckets) this.coarsen();
  }

  /** The kept points in x order (each bucket's first, low, high, last without repeats). */
  points(): Point[] {
    const out: Point[] = [];
    for (const b of this.buckets) {
      const middle = b.low.x <= b.high.x ? [b.low, b.high] : [b.high, b.low];
      for (const p of [b.first, ...middle, b.last]) if (out[out.length - 1] !== p) out.push(p);
    }
    return out;
  }

  private indexOf(b: Bucket): number {
    return Math.floor((b.first.x - this.origin) / this.width);
  }

  /** Doubles the width and merges the buckets that now share an index. */
  private coarsen(): void {
    this.width *= 2;
    const merged: Bucket[] = [];
    for (const b of this.buckets) {
      const previous = merged[merged.length - 1];
      if (previous !== undefined && this.indexOf(previous) === this.indexOf(b)) {
        if (b.low.y < previous.low.y) previous.low = b.low;
        if (b.high.y > previous.high.y) previous.high = b.high;
        previous.last = b.last;
      } else {
        merged.push({ ...b });
      }
    }
    this.buckets.length = 0;
    this.buckets.push(...merged);
  }
}
