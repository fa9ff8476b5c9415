import { z } from 'zod';
import { parseFlags } from './parse-flags.js';
import { readRunArgs, RUN_FLAG_FIELDS, RUN_FLAGS_HELP } from './run-flags.js';
import { checkRunData } from './data-source.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { PARAM_ARGS, PARAM_FLAG_FIELDS, RESEARCH_FLAGS_HELP, TIMERANGE_ARGS, TIMERANGE_FLAG_FIELDS } from './research-flags.js';
import { KAFKA_SINK_ARGS, kafkaSinkUsage, parseKafkaSinkFlags, type KafkaSinkFlags } from './kafka-flags.js';

const BacktestFlagsSchema = z
  .object({
    ...RUN_FLAG_FIELDS,
    demo: z.boolean().default(false),
    risk: z.array(z.string().min(1)).default([]),
    ...PARAM_FLAG_FIELDS,
    ...TIMERANGE_FLAG_FIELDS,
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.demo) {
      if (f.candles.length > 0 || f.data !== undefined) ctx.addIssue({ code: 'custom', message: `--demo runs on generated data: drop ${f.data !== undefined ? '--data' : '--candles'}` });
      return;
    }
    checkRunData(f, ctx, 'give --demo, --candles FILE --symbol SYM, or --data DIR --symbol SYM');
    if (f.strategy.length === 0) ctx.addIssue({ code: 'custom', message: '--strategy MODULE is required (an ES module whose default export is a strategy)' });
  });

export type BacktestFlags = z.output<typeof BacktestFlagsSchema> & { readonly kafka: KafkaSinkFlags | undefined };

export const BACKTEST_USAGE = `usage: tickflow backtest --demo [--events FILE|-] [--report DIR] [--config FILE.json]
       tickflow backtest --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …] --strategy MODULE [--strategy MODULE2 …]
       tickflow backtest --data DIR --symbol SYM [--symbol SYM2 …] --strategy MODULE …(the same options)
                         [--risk MODULE …] [--interval 1m] [--config FILE.json] [--events FILE|-] [--report DIR] [--no-progress]
                         [--balance AMOUNT] [--stake AMOUNT|P%] [--allow-errors] [--param NAME=VALUE …]
                         [--timerange FROM..TO]
--demo: the built-in demo strategies (or the --strategy modules) on generated data for several symbols; no files needed
${RUN_FLAGS_HELP}
${RESEARCH_FLAGS_HELP}
--risk MODULE: an ES module whose default export is a risk profile { name, maxConcurrentPositions?, validations? } or an
array of them; a strategy naming no profile (strategy.risk) is subject to every profile given.
${kafkaSinkUsage('5')}
${EXIT_CODES_HELP}`;

/** Parse and validate `tickflow backtest` flags; every problem is a one-line UserError. */
export function parseBacktestFlags(argv: readonly string[]): BacktestFlags {
  const values = readRunArgs(argv, { demo: { type: 'boolean' }, risk: { type: 'string', multiple: true }, ...PARAM_ARGS, ...TIMERANGE_ARGS, ...KAFKA_SINK_ARGS });
  const flags = parseFlags(BacktestFlagsSchema, values);
  return { ...flags, kafka: flags.help ? undefined : parseKafkaSinkFlags(values) };
}
