import { z } from 'zod';

/** Rows = periods, columns = trials; returns as fractions; every row as long as the first. */
export const ReturnMatrixSchema = z
  .array(z.array(z.number().finite()))
  .superRefine((rows, ctx) => {
    const width = rows[0]?.length ?? 0;
    rows.forEach((row, t) => {
      if (row.length !== width) ctx.addIssue({ code: 'custom', path: [t], message: `row ${t} has ${row.length} columns, expected ${width} (one per trial)` });
    });
  });

export const CscvOptionsSchema = z.object({
  /** S: the number of contiguous blocks; even, at least 2, at most 24 (C(24, 12) ≈ 2.7·10⁶ combinations, one logit each). */
  splits: z
    .number()
    .int()
    .min(2)
    .max(24)
    .refine((s) => s % 2 === 0, 'splits must be even')
    .default(16),
});
export type CscvOptions = z.input<typeof CscvOptionsSchema>;

/** Logit counts in bins of width {@link HISTOGRAM_BIN} aligned on its multiples: bin i covers [from + i·w, from + (i+1)·w). */
export const LogitHistogramSchema = z.object({
  from: z.number(),
  binWidth: z.number().positive(),
  counts: z.array(z.number().int().nonnegative()),
});
export type LogitHistogram = z.infer<typeof LogitHistogramSchema>;

/** PBO by CSCV with its inputs; `pbo` is null (with `reason`) when undefined (N < 2, fewer periods than blocks). */
export const CscvResultSchema = z.object({
  pbo: z.number().nullable(),
  reason: z.string().nullable(),
  meanLogit: z.number().nullable(),
  /** One logit per combination, in lexicographic order of the in-sample block indices (first: 0, 1, …, S/2 − 1). */
  logits: z.array(z.number()),
  histogram: LogitHistogramSchema.nullable(),
  T: z.number().int().nonnegative(),
  N: z.number().int().nonnegative(),
  S: z.number().int(),
  combinations: z.number().int().nonnegative(),
});
export type CscvResult = z.infer<typeof CscvResultSchema>;

export const HISTOGRAM_BIN = 0.25;

/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey, Borwein, López de
 * Prado & Zhu 2017; RESEARCH §5). The T rows are split into S contiguous blocks; for each of the C(S, S/2) choices
 * of in-sample blocks, the trial with the best in-sample per-period Sharpe ratio (ties: lowest index) is ranked out
 * of sample, ω = r/(N + 1), λ = ln(ω/(1 − ω)); PBO is the share of λ ≤ 0.
 *
 * Cost: per-block, per-trial sums and sums of squares are taken once (O(T·N)); combinations then read only them,
 * O(S·N) each at most, with the sums of shared leading blocks computed once, and no combination allocates.
 *
 * @example
 * ```ts
 * import { cscv } from 'tickflow';
 * const matrix = Array.from({ length: 64 }, (_, t) => Array.from({ length: 5 }, (_, n) => 0.001 * (((7 * t + 3 * n) % 11) - 5) + 0.0004 * n));
 * const { pbo, meanLogit, S, combinations } = cscv(matrix, { splits: 8 }); // pbo 0, 70 combinations
 * ```
 */
export function cscv(matrix: readonly (readonly number[])[], options: CscvOptions = {}): CscvResult {
  const { splits: S } = CscvOptionsSchema.parse(options);
  const rows = ReturnMatrixSchema.parse(matrix);
  const T = rows.length;
  const N = rows[0]?.length ?? 0;
  const combinations = binomial(S, S / 2);
  const empty = { pbo: null, meanLogit: null, logits: [], histogram: null, T, N, S, combinations };
  if (N < 2) return { ...empty, reason: `N = ${N} trials: PBO needs at least 2` };
  if (T < S) return { ...empty, reason: `T = ${T} periods is fewer than S = ${S} blocks` };

  // Centre each trial on its full-sample mean: the variance from sums of squares then does not cancel away.
  const centre = new Float64Array(N);
  for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) centre[n] += rows[t]![n]!;
  for (let n = 0; n < N; n++) centre[n] /= T;

  const sum = new Float64Array(S * N);
  const squares = new Float64Array(S * N);
  const count = new Float64Array(S);
  const totalSum = new Float64Array(N);
  const totalSquares = new Float64Array(N);
  for (let k = 0; k < S; k++) {
    const from = Math.floor((k * T) / S);
    const to = Math.floor(((k + 1) * T) / S);
    count[k] = to - from;
    for (let t = from; t < to; t++) {
      const row = rows[t]!;
      for (let n = 0; n < N; n++) {
        const d = row[n]! - centre[n]!;
        sum[k * N + n] += d;
        squares[k * N + n] += d * d;
      }
    }
    for (let n = 0; n < N; n++) {
      totalSum[n] += sum[k * N + n]!;
      totalSquares[n] += squares[k * N + n]!;
    }
  }

  const half = S / 2;
  // Level d holds the sums over the first d chosen blocks: a depth-first walk over the choices in lexicographic
  // order extends its parent level by one block, so most of the work is shared between combinations.
  const levelSum = new Float64Array((half + 1) * N);
  const levelSquares = new Float64Array((half + 1) * N);
  const levelCount = new Float64Array(half + 1);
  // Sharpe ratios are only compared, so each is kept as SR·|SR|: same order, no square root.
  const oosSharpe = new Float64Array(N);
  const logits = new Float64Array(combinations);
  let overfit = 0;
  let logitSum = 0;
  let c = 0;

  const evaluate = () => {
    const o = half * N;
    const isCount = levelCount[half]!;
    const oosCount = T - isCount;
    let best = 0;
    let bestSharpe = -Infinity;
    for (let n = 0; n < N; n++) {
      const isSum = levelSum[o + n]!;
      const isSquares = levelSquares[o + n]!;
      const is = sharpeKey(centre[n]!, isSum, isSquares, isCount);
      if (is > bestSharpe) {
        bestSharpe = is;
        best = n;
      }
      oosSharpe[n] = sharpeKey(centre[n]!, totalSum[n]! - isSum, totalSquares[n]! - isSquares, oosCount);
    }
    const chosen = oosSharpe[best]!;
    let lower = 0;
    for (let n = 0; n < N; n++) if (oosSharpe[n]! < chosen) lower++;
    const omega = (1 + lower) / (N + 1);
    const logit = Math.log(omega / (1 - omega));
    logits[c++] = logit;
    logitSum += logit;
    if (logit <= 0) overfit++;
  };

  const visit = (depth: number, first: number): void => {
    if (depth === half) {
      evaluate();
      return;
    }
    const from = depth * N;
    const to = from + N;
    for (let k = first; k <= S - (half - depth); k++) {
      const o = k * N;
      for (let n = 0; n < N; n++) {
        levelSum[to + n] = levelSum[from + n]! + sum[o + n]!;
        levelSquares[to + n] = levelSquares[from + n]! + squares[o + n]!;
      }
      levelCount[depth + 1] = levelCount[depth]! + count[k]!;
      visit(depth + 1, k + 1);
    }
  };
  visit(0, 0);
  const list = Array.from(logits);
  return { pbo: overfit / combinations, reason: null, meanLogit: logitSum / combinations, logits: list, histogram: histogram(list), T, N, S, combinations };
}

/**
 * SR·|SR| for the per-period Sharpe ratio SR of rows whose values are `centre` + d, from Σd and Σd² over `count`
 * rows; 0 when the std is 0. A variance within rounding of E[d²] is a constant series whose difference of sums left
 * an ulp, not a spread.
 */
function sharpeKey(centre: number, sumD: number, sumD2: number, count: number): number {
  const meanD = sumD / count;
  const meanD2 = sumD2 / count;
  const variance = meanD2 - meanD * meanD;
  const mean = centre + meanD;
  return variance > 1e-12 * meanD2 ? (mean * Math.abs(mean)) / variance : 0;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function histogram(logits: readonly number[]): LogitHistogram {
  let min = Infinity;
  let max = -Infinity;
  for (const l of logits) {
    if (l < min) min = l;
    if (l > max) max = l;
  }
  const from = Math.floor(min / HISTOGRAM_BIN) * HISTOGRAM_BIN;
  const bins = Math.floor((max - from) / HISTOGRAM_BIN) + 1;
  const counts = new Array<number>(bins).fill(0);
  for (const l of logits) counts[Math.min(bins - 1, Math.floor((l - from) / HISTOGRAM_BIN))]!++;
  return { from, binWidth: HISTOGRAM_BIN, counts };
}
