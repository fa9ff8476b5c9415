import { z } from 'zod';
import { Sfc32 } from '../sources/prng.js';
import { percentileOfSorted } from './percentile.js';

export const MonteCarloOptionsSchema = z.object({
  runs: z.number().int().positive().default(1000),
  seed: z.string().default('0'),
});
export type MonteCarloOptions = z.input<typeof MonteCarloOptionsSchema>;

/** Percentiles 5, 50, 95 of a distribution over runs, and the value of the trades in their actual order. */
export const PercentilesSchema = z.object({ p5: z.number(), p50: z.number(), p95: z.number(), actual: z.number() });
export type Percentiles = z.infer<typeof PercentilesSchema>;

/** Counts of a distribution in equal bins: bin i covers [from + i·binWidth, from + (i+1)·binWidth), the last one closed. */
export const DistributionHistogramSchema = z.object({
  from: z.number(),
  binWidth: z.number().nonnegative(),
  counts: z.array(z.number().int().nonnegative()),
});
export type DistributionHistogram = z.infer<typeof DistributionHistogramSchema>;

/** Bins of the Monte Carlo drawdown distribution (the report's chart). */
export const DRAWDOWN_BINS = 20;

export const MonteCarloResultSchema = z.object({
  reason: z.string().nullable(),
  trades: z.number().int().nonnegative(),
  runs: z.number().int().positive(),
  seed: z.string(),
  /** Peak-to-trough of cumulative pnl (% points, from a peak of 0 at the start), as SEMANTICS §9's maxDrawdown. */
  maxDrawdown: PercentilesSchema.nullable(),
  /** Most consecutive losing trades (pnl < 0). */
  longestLosingStreak: PercentilesSchema.nullable(),
  /** The max drawdowns of all runs in {@link DRAWDOWN_BINS} equal bins from the smallest to the largest (one bin when all are equal). */
  drawdownHistogram: DistributionHistogramSchema.nullable(),
});
export type MonteCarloResult = z.infer<typeof MonteCarloResultSchema>;

/**
 * Monte Carlo of trade order (RESEARCH §5): the closed signals' pnls (percent) reshuffled `runs` times (seeded
 * Fisher–Yates); percentiles 5, 50 and 95 (type 7, see {@link percentileOfSorted}) of the max drawdown and of the
 * longest losing streak. The total is the same in every order; the path is what luck rearranges. Null with the
 * reason for fewer than 2 trades (one order only).
 *
 * @example
 * ```ts
 * const { maxDrawdown } = monteCarloTradeOrder([1.2, -0.8, 2.1, -1.5, 0.4], { runs: 1000, seed: '42' });
 * maxDrawdown?.p95; // the drawdown a bad ordering of these trades reaches 1 time in 20
 * ```
 */
export function monteCarloTradeOrder(pnls: readonly number[], options: MonteCarloOptions = {}): MonteCarloResult {
  const { runs, seed } = MonteCarloOptionsSchema.parse(options);
  const values = Float64Array.from(z.array(z.number().finite()).parse(pnls));
  const n = values.length;
  if (n < 2) return { reason: `${n} trade(s): Monte Carlo of trade order needs at least 2`, trades: n, runs, seed, maxDrawdown: null, longestLosingStreak: null, drawdownHistogram: null };
  const actualDrawdown = maxDrawdown(values);
  const actualStreak = longestLosingStreak(values);
  const rng = Sfc32.from(seed, 'monte-carlo-trade-order');
  const drawdowns = new Float64Array(runs);
  const streaks = new Float64Array(runs);
  for (let r = 0; r < runs; r++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      const v = values[i]!;
      values[i] = values[j]!;
      values[j] = v;
    }
    drawdowns[r] = maxDrawdown(values);
    streaks[r] = longestLosingStreak(values);
  }
  drawdowns.sort();
  streaks.sort();
  const summary = (sorted: Float64Array, actual: number): Percentiles => ({
    p5: percentileOfSorted(sorted, 5),
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    actual,
  });
  return {
    reason: null,
    trades: n,
    runs,
    seed,
    maxDrawdown: summary(drawdowns, actualDrawdown),
    longestLosingStreak: summary(streaks, actualStreak),
    drawdownHistogram: sortedHistogram(drawdowns, DRAWDOWN_BINS),
  };
}

/**
 * Ascending values counted in `bins` equal bins over [first, last]; the last value falls in the last bin. All values
 * equal: one bin of width 0 holding them all.
 *
 * @example
 * ```ts
 * sortedHistogram(Float64Array.from([1, 2, 2, 4]), 3); // { from: 1, binWidth: 1, counts: [1, 2, 1] }
 * ```
 */
export function sortedHistogram(sorted: ArrayLike<number>, bins: number): DistributionHistogram {
  const n = sorted.length;
  if (n === 0) return { from: 0, binWidth: 0, counts: [] };
  const from = sorted[0]!;
  const span = sorted[n - 1]! - from;
  if (!(span > 0)) return { from, binWidth: 0, counts: [n] };
  const binWidth = span / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((sorted[i]! - from) / binWidth))]!++;
  return { from, binWidth, counts };
}

/** Peak-to-trough of the cumulative sum, the peak starting at 0. */
export function maxDrawdown(pnls: ArrayLike<number>): number {
  let cumulative = 0;
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < pnls.length; i++) {
    cumulative += pnls[i]!;
    if (cumulative > peak) peak = cumulative;
    if (peak - cumulative > worst) worst = peak - cumulative;
  }
  return worst;
}

/** Most consecutive values below 0. */
export function longestLosingStreak(pnls: ArrayLike<number>): number {
  let run = 0;
  let longest = 0;
  for (let i = 0; i < pnls.length; i++) {
    run = pnls[i]! < 0 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}
