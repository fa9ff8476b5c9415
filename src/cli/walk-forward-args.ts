import { z } from 'zod';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { camelFlags, checkStudyFlags, STUDY_ARGS, STUDY_FLAG_FIELDS, STUDY_FLAGS_HELP } from './optimize-args.js';
import { parseFlags, readArgs } from './parse-flags.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `30d`, `12h`, `90m`, `2w` into milliseconds. */
export const DurationSchema = z.string().transform((text, ctx) => {
  const m = /^(\d+)(m|h|d|w)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : 0;
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration: expected a positive whole number and a unit m, h, d or w (e.g. 30d)` });
    return z.NEVER;
  }
  return ms;
});

const WalkForwardFlagsSchema = z
  .object({
    ...STUDY_FLAG_FIELDS,
    train: DurationSchema.optional(),
    test: DurationSchema.optional(),
    step: DurationSchema.optional(),
    anchored: z.boolean().default(false),
    purge: DurationSchema.optional(),
    holdout: DurationSchema.optional(),
  })
  .partial({ strategy: true })
  .superRefine((f, ctx) => {
    checkStudyFlags(f, ctx);
    if (f.help) return;
    if (f.strategy === undefined) ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'give --strategy MODULE (an ES module whose default export is a parameterised strategy)' });
    if (f.train === undefined) ctx.addIssue({ code: 'custom', path: ['train'], message: 'give the train window length, e.g. --train 30d' });
    if (f.test === undefined) ctx.addIssue({ code: 'custom', path: ['test'], message: 'give the test window length, e.g. --test 7d' });
  });
export type WalkForwardFlags = z.output<typeof WalkForwardFlagsSchema>;

export const WALK_FORWARD_USAGE = `usage: tickflow walk-forward --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …] --strategy MODULE
                            --train 30d --test 7d [--step 7d] [--anchored] [--purge 1d] [--holdout 14d]
                            [--sampler grid|random|tpe] [--trials N] [--seed S] [--objective sharpeRatio] [--min-trades N]
                            [--require 'totalSignals>=30' …] [--batch-size N] [--period 1d] [--splits 16] [--timerange FROM..TO] [--report DIR]
Each fold optimises on its train window (seed + fold index) and runs the best candidate on its test window.
--train, --test, --step (default: --test), --purge (gap after train), --holdout (final span, run once with the last
    choice): durations like 90m, 12h, 30d, 2w; --anchored: every train window starts at the beginning of the data
${STUDY_FLAGS_HELP.split('\n--timerange')[0]}
--timerange FROM..TO: plan the folds (and the holdout) inside FROM ≤ now < TO; candles before FROM only warm up
    history and price, candles closing at or after TO are not read
--report DIR: walk-forward.json (folds, stitched out-of-sample statistics, efficiency, stability, overfitting) and
    walk-forward.html (the folds' timeline, out-of-sample equity, PBO and Monte Carlo charts, the sortable fold table)
${EXIT_CODES_HELP}`;

/** Parse and validate `tickflow walk-forward` flags; every problem is a one-line UserError naming the flag. */
export function parseWalkForwardFlags(argv: readonly string[]): WalkForwardFlags {
  return parseFlags(
    WalkForwardFlagsSchema,
    camelFlags(
      readArgs(argv, {
        ...STUDY_ARGS,
        train: { type: 'string' },
        test: { type: 'string' },
        step: { type: 'string' },
        anchored: { type: 'boolean' },
        purge: { type: 'string' },
        holdout: { type: 'string' },
      }),
    ),
  );
}
