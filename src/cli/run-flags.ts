import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { IntervalSchema } from '../core/intervals.js';
import { readArgs } from './parse-flags.js';
import { MONEY_FLAG_ARGS, MONEY_FLAG_FIELDS, MONEY_FLAGS_HELP } from './money-flags.js';
import { DATA_FLAG_HELP } from './data-source.js';

/** The flags `backtest` and `walker` share: candle files with their symbols, strategies and outputs. */
export const RUN_FLAG_FIELDS = {
  candles: z.array(z.string().min(1)).default([]),
  data: z.string().min(1).optional(),
  symbol: z.array(z.string().min(1)).default([]),
  interval: IntervalSchema.optional(),
  strategy: z.array(z.string().min(1)).default([]),
  config: z.string().min(1).optional(),
  events: z.string().min(1).optional(),
  report: z.string().min(1).optional(),
  progress: z.boolean().default(true),
  allowErrors: z.boolean().default(false),
  help: z.boolean().default(false),
  ...MONEY_FLAG_FIELDS,
};

/** The `--help` lines of the shared flags whose meaning is not obvious from their name. */
export const RUN_FLAGS_HELP = `--candles FILE --symbol SYM: a candle file (JSON array of [ts, o, h, l, c, v] rows or of objects, or CSV with a
    header row) and the symbol its candles belong to; repeat the pair for several symbols (merged in time order)
${DATA_FLAG_HELP}
--strategy MODULE: an ES module whose default export is a strategy (or an array of them); repeatable
--config FILE.json: engine settings (fees, slippage, limits …; see the README's configuration section)
--no-progress: no progress bar (one is drawn on stderr only when it is a terminal)
--interval I: the interval of the candles in the files (1m 3m 5m 15m 30m 1h … 1d 3d 1w), checked against the data
    (default: inferred from it); the interval a strategy decides on is its own 'interval', in the strategy module.
    Timestamps are epoch milliseconds or ISO-8601 dates, each on its interval's grid (epoch seconds are rejected).
--events FILE|-: one JSON event per line, into an existing folder (- for stdout: a reader that stops early, e.g.
    | head, ends the run quietly); --report DIR: the reports (the folder is made if missing)
--allow-errors: exit 0 even when the run produced error events
-h, --help: this text
${MONEY_FLAGS_HELP}`;

/**
 * Read `argv` with the shared flags plus `extra`; `--no-progress` comes back as `progress: false` (node's parser has
 * no negated booleans), `--allow-errors` as `allowErrors`.
 */
export function readRunArgs(argv: readonly string[], extra: NonNullable<ParseArgsConfig['options']>): Record<string, unknown> {
  const values = readArgs(argv, {
    candles: { type: 'string', multiple: true },
    data: { type: 'string' },
    symbol: { type: 'string', multiple: true },
    interval: { type: 'string' },
    strategy: { type: 'string', multiple: true },
    config: { type: 'string' },
    events: { type: 'string' },
    report: { type: 'string' },
    'no-progress': { type: 'boolean' },
    'allow-errors': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    ...MONEY_FLAG_ARGS,
    ...extra,
  });
  const { 'no-progress': noProgress, 'allow-errors': allowErrors, ...rest } = values;
  return { ...rest, progress: noProgress !== true, allowErrors: allowErrors === true };
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
