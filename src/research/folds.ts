import { z } from 'zod';

const ms = z.number().int().positive();

/** How folds are cut from a span (RESEARCH §4): window lengths, step, anchoring, purge and holdout. */
export const FoldShapeSchema = z.object({
  /** Train window length (ms). */
  train: ms,
  /** Test window length (ms). */
  test: ms,
  /** Distance between consecutive folds' test windows; default: the test length (back to back). */
  step: ms.optional(),
  /** Train always from the start of the data (growing); otherwise a rolling window of `train`. */
  anchored: z.boolean().default(false),
  /** Gap between a train window's end and its test window's start. */
  purge: z.number().int().nonnegative().default(0),
  /** Final span no fold trains or tests on. */
  holdout: z.number().int().nonnegative().default(0),
});

export const FoldOptionsSchema = FoldShapeSchema.extend({
  /** The data's span [from, to) in epoch ms. */
  from: z.number().int(),
  to: z.number().int(),
})
  .refine((o) => o.from < o.to, { message: 'from must be before to', path: ['to'] });
export type FoldOptions = z.input<typeof FoldOptionsSchema>;

export const TimeWindowSchema = z.object({ from: z.number().int(), to: z.number().int() });
export const FoldSchema = z.object({ index: z.number().int().nonnegative(), train: TimeWindowSchema, test: TimeWindowSchema });
export const FoldPlanSchema = z.object({ folds: z.array(FoldSchema), holdout: TimeWindowSchema.nullable() });
export type TimeWindow = z.infer<typeof TimeWindowSchema>;
export type Fold = z.infer<typeof FoldSchema>;
export type FoldPlan = z.infer<typeof FoldPlanSchema>;

/**
 * Walk-forward folds over a span (RESEARCH §4), windows half-open [from, to): fold i tests on
 * [s + i·step, s + i·step + test) where s = from + train + purge, and trains on the `train` before the purge gap
 * (rolling) or on everything from `from` up to the gap (anchored). Folds continue while the test window ends
 * inside the span less the holdout; the holdout is the final `holdout` of the span, or null. Every train window
 * ends `purge` before its test window and no window reaches into the holdout.
 *
 * @example
 * ```ts
 * const DAY = 86_400_000;
 * walkForwardFolds({ from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 3, 1), train: 30 * DAY, test: 7 * DAY, purge: DAY, holdout: 14 * DAY });
 * ```
 */
export function walkForwardFolds(options: FoldOptions): FoldPlan {
  const o = FoldOptionsSchema.parse(options);
  const step = o.step ?? o.test;
  const end = o.to - o.holdout;
  const folds: Fold[] = [];
  for (let i = 0; ; i++) {
    const testFrom = o.from + o.train + o.purge + i * step;
    const testTo = testFrom + o.test;
    if (testTo > end) break;
    const trainTo = testFrom - o.purge;
    folds.push({ index: i, train: { from: o.anchored ? o.from : trainTo - o.train, to: trainTo }, test: { from: testFrom, to: testTo } });
  }
  return { folds, holdout: o.holdout > 0 ? { from: end, to: o.to } : null };
}
