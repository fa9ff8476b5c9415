import { z } from 'zod';
import { parseFlags, readArgs } from './parse-flags.js';
import { IntervalSchema } from '../core/intervals.js';
import { KAFKA_SINK_ARGS, kafkaSinkUsage, parseKafkaSinkFlags, type KafkaSinkFlags } from './kafka-flags.js';
import { UserError } from './user-error.js';

const BacktestFlagsSchema = z
  .object({
    demo: z.boolean().default(false),
    candles: z.array(z.string().min(1)).default([]),
    symbol: z.array(z.string().min(1)).default([]),
    interval: IntervalSchema.optional(),
    strategy: z.array(z.string().min(1)).default([]),
    risk: z.array(z.string().min(1)).default([]),
    config: z.string().min(1).optional(),
    events: z.string().min(1).optional(),
    report: z.string().min(1).optional(),
    progress: z.boolean().default(true),
    help: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.demo) {
      if (f.candles.length > 0) ctx.addIssue({ code: 'custom', message: '--demo runs on generated data: drop --candles' });
      return;
    }
    if (f.candles.length === 0) ctx.addIssue({ code: 'custom', message: 'give --demo, or --candles FILE --symbol SYM' });
    if (f.candles.length !== f.symbol.length) {
      ctx.addIssue({
        code: 'custom',
        message: `each --candles FILE needs its --symbol SYM (got ${f.candles.length} --candles and ${f.symbol.length} --symbol)`,
      });
    }
    if (f.strategy.length === 0) ctx.addIssue({ code: 'custom', message: '--strategy MODULE is required (an ES module whose default export is a strategy)' });
  });

export type BacktestFlags = z.output<typeof BacktestFlagsSchema> & { readonly kafka: KafkaSinkFlags | undefined };

export const BACKTEST_USAGE = `usage: tickflow backtest --demo [--events FILE|-] [--report DIR] [--config FILE.json]
       tickflow backtest --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …] --strategy MODULE [--strategy MODULE2 …]
                         [--risk MODULE …] [--interval 1m] [--config FILE.json] [--events FILE|-] [--report DIR] [--no-progress]
--risk MODULE: an ES module whose default export is a risk profile { name, maxConcurrentPositions?, validations? } or an
array of them; a strategy naming no profile (strategy.risk) is subject to every profile given.
${kafkaSinkUsage('5')}`;

/** Parse and validate `tickflow backtest` flags; every problem is a one-line UserError. */
export function parseBacktestFlags(argv: readonly string[]): BacktestFlags {
  const values = readArgs(argv, {
    demo: { type: 'boolean' },
    candles: { type: 'string', multiple: true },
    symbol: { type: 'string', multiple: true },
    interval: { type: 'string' },
    strategy: { type: 'string', multiple: true },
    risk: { type: 'string', multiple: true },
    config: { type: 'string' },
    events: { type: 'string' },
    report: { type: 'string' },
    'no-progress': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    ...KAFKA_SINK_ARGS,
  });
  const { 'no-progress': noProgress, ...rest } = values;
  const flags = parseFlags(BacktestFlagsSchema, { ...rest, progress: noProgress !== true });
  return { ...flags, kafka: flags.help ? undefined : parseKafkaSinkFlags(rest) };
}
