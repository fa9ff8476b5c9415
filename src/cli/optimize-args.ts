import { z } from 'zod';
import { IntervalSchema } from '../core/intervals.js';
import { WalkerMetricSchema } from '../core/walker-rank.js';
import { SamplerSchema } from '../pipelines/optimize.js';
import { parseRequirement, type Requirement } from '../research/requirements.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { parseFlags, readArgs } from './parse-flags.js';
import { checkRunData, DATA_FLAG_HELP } from './data-source.js';
import { checkDistributedFlags, DISTRIBUTED_ARGS, DISTRIBUTED_FLAG_FIELDS, DISTRIBUTED_FLAGS_HELP } from './distributed-flags.js';
import { RESEARCH_FLAGS_HELP, TIMERANGE_ARGS, TIMERANGE_FLAG_FIELDS } from './research-flags.js';

const count = z.coerce.number().int().positive();

const RequirementFlagSchema = z.string().transform((text, ctx): Requirement => {
  try {
    return parseRequirement(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** The flags `optimize` and `walk-forward` share: the data, the strategy, the search and its outputs. */
export const STUDY_FLAG_FIELDS = {
  candles: z.array(z.string().min(1)).default([]),
  data: z.string().min(1).optional(),
  symbol: z.array(z.string().min(1)).default([]),
  interval: IntervalSchema.optional(),
  strategy: z.string({ error: '--strategy MODULE is required (an ES module whose default export is a parameterised strategy)' }).min(1),
  config: z.string().min(1).optional(),
  report: z.string().min(1).optional(),
  sampler: SamplerSchema.default('random'),
  trials: count.optional(),
  seed: z.string().min(1).default('0'),
  objective: WalkerMetricSchema.default('sharpeRatio'),
  minTrades: count.optional(),
  require: z.array(RequirementFlagSchema).default([]),
  batchSize: count.default(16),
  splits: count.default(16),
  workers: count.default(1),
  period: IntervalSchema.default('1d'),
  help: z.boolean().default(false),
  ...TIMERANGE_FLAG_FIELDS,
};

export const STUDY_ARGS = {
  candles: { type: 'string', multiple: true },
  data: { type: 'string' },
  symbol: { type: 'string', multiple: true },
  interval: { type: 'string' },
  strategy: { type: 'string' },
  config: { type: 'string' },
  report: { type: 'string' },
  sampler: { type: 'string' },
  trials: { type: 'string' },
  seed: { type: 'string' },
  objective: { type: 'string' },
  'min-trades': { type: 'string' },
  require: { type: 'string', multiple: true },
  'batch-size': { type: 'string' },
  splits: { type: 'string' },
  workers: { type: 'string' },
  period: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...TIMERANGE_ARGS,
} as const;

/** Node's parser keeps `--min-trades` as written: the schema's fields are camelCase. */
export function camelFlags(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

export function checkStudyFlags(f: { help: boolean; candles: string[]; symbol: string[]; data?: string }, ctx: z.RefinementCtx): void {
  if (f.help) return;
  checkRunData(f, ctx, 'give --candles FILE --symbol SYM (one pair per symbol), or --data DIR --symbol SYM …', { missing: ['candles'], pairs: ['symbol'] });
}

/** `--min-trades N` and every `--require` as one list. */
export function requirementsOf(f: { minTrades?: number; require: Requirement[] }): Requirement[] {
  return [...(f.minTrades === undefined ? [] : [{ statistic: 'totalSignals' as const, op: '>=' as const, value: f.minTrades }]), ...f.require];
}

const OptimizeFlagsSchema = z
  .object({ ...STUDY_FLAG_FIELDS, ...DISTRIBUTED_FLAG_FIELDS, eventsBest: z.string().min(1).optional() })
  .partial({ strategy: true })
  .superRefine((f, ctx) => {
    checkStudyFlags(f, ctx);
    checkDistributedFlags(f, ctx);
    if (!f.help && f.strategy === undefined) ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'give --strategy MODULE (an ES module whose default export is a parameterised strategy)' });
  });
export type OptimizeFlags = z.output<typeof OptimizeFlagsSchema>;

export const STUDY_FLAGS_HELP = `--candles FILE --symbol SYM: a candle file (JSON or CSV, as backtest reads it) and its symbol; repeat per symbol
${DATA_FLAG_HELP}
--strategy MODULE: an ES module whose default export is one strategy declaring params (the space searched)
--interval I: the candles' interval (default: inferred from the files, or the one stored); --config FILE.json: engine
    settings (fees, slippage, …); -h, --help: this text
--sampler grid|random|tpe (default random): grid runs every point of the space (or the first --trials), random and
    tpe draw --trials candidates (default 50), seeded by --seed (same seed → the same trials and report)
--objective STAT (default sharpeRatio; maxDrawdown is minimised): ${WalkerMetricSchema.options.join(', ')}
--min-trades N, --require 'STAT>=X' (repeatable): a trial failing one is ranked last but still counted
--period 1d, --splits 16: the per-period returns' period and the CSCV blocks (PBO needs at least --splits periods)
--batch-size N (default 16): candidates run side by side in one pass of the candles (tpe proposes per batch)
--workers N (default 1): split each batch over N worker threads sharing the candles (same results for any N)
${RESEARCH_FLAGS_HELP.split('\n--param')[0]}`;

export const OPTIMIZE_USAGE = `usage: tickflow optimize --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …] --strategy MODULE
                        [--sampler grid|random|tpe] [--trials N] [--seed S] [--objective sharpeRatio] [--timerange FROM..TO]
                        [--min-trades N] [--require 'totalSignals>=30' …] [--batch-size N] [--workers N] [--period 1d] [--splits 16] [--interval 1m] [--config FILE.json]
                        [--report DIR] [--events-best FILE] [--kafka-brokers HOST:PORT --distributed [--trials-topic T] [--results-topic R]]
${STUDY_FLAGS_HELP}
${DISTRIBUTED_FLAGS_HELP}
--report DIR: optimize.json (every trial in trial order, the ranking, the best, the overfitting statistics) and
    optimize.html (the sortable trials table, objective heatmaps around the best, PBO and Monte Carlo charts)
--events-best FILE: the best candidate's events, one JSON per line (as \`backtest --param … --timerange …\` writes them)
${EXIT_CODES_HELP}`;

/** Parse and validate `tickflow optimize` flags; every problem is a one-line UserError naming the flag. */
export function parseOptimizeFlags(argv: readonly string[]): OptimizeFlags {
  return parseFlags(OptimizeFlagsSchema, camelFlags(readArgs(argv, { ...STUDY_ARGS, ...DISTRIBUTED_ARGS, 'events-best': { type: 'string' } })));
}
