import { z } from 'zod';
import { parseFlags } from './parse-flags.js';
import { readRunArgs, RUN_FLAG_FIELDS, RUN_FLAGS_HELP } from './run-flags.js';
import { checkRunData } from './data-source.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { WalkerMetricSchema } from '../core/walker-rank.js';
import { RESEARCH_FLAGS_HELP, TIMERANGE_ARGS, TIMERANGE_FLAG_FIELDS } from './research-flags.js';

const WalkerFlagsSchema = z
  .object({
    ...RUN_FLAG_FIELDS,
    metric: WalkerMetricSchema.default('sharpeRatio'),
    ...TIMERANGE_FLAG_FIELDS,
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    checkRunData(f, ctx, 'give --candles FILE --symbol SYM (one pair per symbol), or --data DIR --symbol SYM …', { missing: ['candles'], pairs: ['symbol'] });
    if (f.strategy.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'give the strategies to compare: --strategy A.mjs --strategy B.mjs …' });
    }
  });

export type WalkerFlags = z.output<typeof WalkerFlagsSchema>;

export const WALKER_USAGE = `usage: tickflow walker --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …] | --data DIR --symbol SYM [--symbol SYM2 …]
                      --strategy A.mjs --strategy B.mjs … [--metric ${WalkerMetricSchema.options[0]}]
                      [--interval 1m] [--config FILE.json] [--events FILE|-] [--report DIR] [--no-progress]
                      [--balance AMOUNT] [--stake AMOUNT|P%] [--allow-errors] [--timerange FROM..TO]
--metric STAT (default sharpeRatio): the statistic the strategies are ranked by, one of
    ${WalkerMetricSchema.options.join(', ')}
    (maxDrawdown is minimised, and so is equityMaxDrawdown; finalEquity … equityMaxDrawdown rank each strategy's own
    account of --balance and --stake)
${RUN_FLAGS_HELP}
${RESEARCH_FLAGS_HELP.split('\n--param')[0]}
${EXIT_CODES_HELP}`;

/** Parse and validate `tickflow walker` flags; every problem is a one-line UserError naming the flag. */
export function parseWalkerFlags(argv: readonly string[]): WalkerFlags {
  return parseFlags(WalkerFlagsSchema, readRunArgs(argv, { metric: { type: 'string' }, ...TIMERANGE_ARGS }));
}
