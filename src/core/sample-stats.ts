/** Summary of a stream of measurements; null fields when there was none. */
export interface SampleSummary {
  readonly count: number;
  readonly total: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Population standard deviation. */
  readonly stdDev: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  /** Whether the percentiles come from every sample (true) or from the reservoir (a long run). */
  readonly exactPercentiles: boolean;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending values, interpolating linearly between the two nearest ranks (the
 * definition of numpy's default and of Excel's PERCENTILE.INC).
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 * ```
 */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/**
 * Count, mean, min, max, standard deviation and percentiles of a stream of numbers in bounded memory. Mean and
 * deviation are exact (Welford); percentiles are exact up to `capacity` samples, then estimated from a uniform
 * reservoir of that size (Vitter's algorithm R). The replacement choices come from a seeded xorshift generator,
 * never Math.random, so the same stream always keeps the same reservoir.
 *
 * @example
 * ```ts
 * const acc = new SampleAccumulator(4096);
 * for (const ms of durations) acc.add(ms);
 * acc.result().p99;
 * ```
 */
export class SampleAccumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private readonly reservoir: Float64Array;
  private random: number;

  constructor(
    readonly capacity = 4096,
    seed = 0x9e3779b9,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, got ${capacity}`);
    this.reservoir = new Float64Array(capacity);
    // xorshift32 must not start at 0 (it would stay there).
    this.random = seed | 0 || 1;
  }

  add(x: number): void {
    const n = ++this.n;
    const delta = x - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (x - this.mean);
    this.sum += x;
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    if (n <= this.capacity) {
      this.reservoir[n - 1] = x;
      return;
    }
    // Keep the n-th sample with probability capacity/n, in a uniformly chosen slot.
    const j = Math.floor(this.next() * n);
    if (j < this.capacity) this.reservoir[j] = x;
  }

  result(): SampleSummary {
    const n = this.n;
    if (n === 0) {
      return { count: 0, total: 0, mean: null, min: null, max: null, stdDev: null, p50: null, p95: null, p99: null, exactPercentiles: true };
    }
    const sorted = this.reservoir.slice(0, Math.min(n, this.capacity)).sort();
    return {
      count: n,
      total: this.sum,
      mean: this.mean,
      min: this.lo,
      max: this.hi,
      stdDev: Math.sqrt(this.m2 / n),
      p50: quantile(sorted, 0.5),
      p95: quantile(sorted, 0.95),
      p99: quantile(sorted, 0.99),
      exactPercentiles: n <= this.capacity,
    };
  }

  /** Uniform in [0, 1). */
  private next(): number {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return (x >>> 0) / 4294967296;
  }
}
