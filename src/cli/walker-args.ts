import { z } from 'zod';
import { parseFlags, readArgs } from './parse-flags.js';
import { IntervalSchema } from '../core/intervals.js';
import { WalkerMetricSchema } from '../core/walker-rank.js';
import { UserError } from './user-error.js';

const WalkerFlagsSchema = z
  .object({
    candles: z.array(z.string().min(1)).default([]),
    symbol: z.array(z.string().min(1)).default([]),
    interval: IntervalSchema.optional(),
    strategy: z.array(z.string().min(1)).default([]),
    metric: WalkerMetricSchema.default('sharpeRatio'),
    config: z.string().min(1).optional(),
    events: z.string().min(1).optional(),
    report: z.string().min(1).optional(),
    progress: z.boolean().default(true),
    help: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.candles.length === 0) ctx.addIssue({ code: 'custom', path: ['candles'], message: 'give --candles FILE --symbol SYM (one pair per symbol)' });
    if (f.candles.length !== f.symbol.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['symbol'],
        message: `each --candles FILE needs its --symbol SYM (got ${f.candles.length} --candles and ${f.symbol.length} --symbol)`,
      });
    }
    if (f.strategy.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['strategy'], message: 'give the strategies to compare: --strategy A.mjs --strategy B.mjs …' });
    }
  });

export type WalkerFlags = z.output<typeof WalkerFlagsSchema>;

export const WALKER_USAGE = `usage: tickflow walker --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …]
                      --strategy A.mjs --strategy B.mjs … [--metric ${WalkerMetricSchema.options[0]}]
                      [--interval 1m] [--config FILE.json] [--events FILE|-] [--report DIR] [--no-progress]
metrics: ${WalkerMetricSchema.options.join(', ')} (maxDrawdown is minimised)`;

/** Parse and validate `tickflow walker` flags; every problem is a one-line UserError naming the flag. */
export function parseWalkerFlags(argv: readonly string[]): WalkerFlags {
  const values = readArgs(argv, {
    candles: { type: 'string', multiple: true },
    symbol: { type: 'string', multiple: true },
    interval: { type: 'string' },
    strategy: { type: 'string', multiple: true },
    metric: { type: 'string' },
    config: { type: 'string' },
    events: { type: 'string' },
    report: { type: 'string' },
    'no-progress': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const { 'no-progress': noProgress, ...rest } = values;
  return parseFlags(WalkerFlagsSchema, { ...rest, progress: noProgress !== true });
}
