import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { IntervalSchema } from '../core/intervals.js';
import { readArgs } from './parse-flags.js';

/** The flags `backtest` and `walker` share: candle files with their symbols, strategies and outputs. */
export const RUN_FLAG_FIELDS = {
  candles: z.array(z.string().min(1)).default([]),
  symbol: z.array(z.string().min(1)).default([]),
  interval: IntervalSchema.optional(),
  strategy: z.array(z.string().min(1)).default([]),
  config: z.string().min(1).optional(),
  events: z.string().min(1).optional(),
  report: z.string().min(1).optional(),
  progress: z.boolean().default(true),
  help: z.boolean().default(false),
};

/**
 * Read `argv` with the shared flags plus `extra`; `--no-progress` comes back as `progress: false` (node's parser has
 * no negated booleans).
 */
export function readRunArgs(argv: readonly string[], extra: NonNullable<ParseArgsConfig['options']>): Record<string, unknown> {
  const values = readArgs(argv, {
    candles: { type: 'string', multiple: true },
    symbol: { type: 'string', multiple: true },
    interval: { type: 'string' },
    strategy: { type: 'string', multiple: true },
    config: { type: 'string' },
    events: { type: 'string' },
    report: { type: 'string' },
    'no-progress': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    ...extra,
  });
  const { 'no-progress': noProgress, ...rest } = values;
  return { ...rest, progress: noProgress !== true };
}

/** Each `--candles FILE` needs its `--symbol SYM`: the files and symbols pair up in order. */
export function checkCandlePairs(f: { candles: readonly string[]; symbol: readonly string[] }, ctx: z.RefinementCtx, path: PropertyKey[] = []): void {
  if (f.candles.length === f.symbol.length) return;
  ctx.addIssue({
    code: 'custom',
    path,
    message: `each --candles FILE needs its --symbol SYM (got ${f.candles.length} --candles and ${f.symbol.length} --symbol)`,
  });
}
