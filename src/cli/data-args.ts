import { parseArgs } from 'node:util';
import { z } from 'zod';
import { IntervalSchema } from '../core/intervals.js';
import { issueText } from '../core/problems.js';
import { UserError } from './user-error.js';

/** A time flag: epoch ms, or a date `Date.parse` reads (an ISO date, UTC unless it names a zone). */
export const TimeFlagSchema = z.string().transform((s, ctx) => {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s) ? `${s}${s.length === 10 ? '' : 'Z'}` : s;
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(iso);
  if (!Number.isSafeInteger(t) || t < 0) {
    ctx.addIssue({ code: 'custom', message: `expected an ISO date (2024-01-01, 2024-01-01T12:00) or epoch ms, got '${s}'` });
    return z.NEVER;
  }
  return t;
});

const common = {
  data: z.string().min(1).default('data'),
  help: z.boolean().default(false),
};

/** `BTC/USDT,ETH/USDT` (and/or repeated flags) as a list of symbols, each once. */
const SymbolListSchema = z
  .array(z.string())
  .default([])
  .transform((values) => values.flatMap((v) => v.split(',')).map((s) => s.trim()))
  .superRefine((symbols, ctx) => {
    if (symbols.some((s) => s === '')) ctx.addIssue({ code: 'custom', message: 'an empty symbol (expected e.g. BTC/USDT,ETH/USDT)' });
    const twice = symbols.find((s, i) => symbols.indexOf(s) !== i);
    if (twice !== undefined) ctx.addIssue({ code: 'custom', message: `symbol ${twice} is given twice` });
  });

export const DownloadFlagsSchema = z
  .object({
    ...common,
    exchange: z.string().regex(/^[a-z0-9_]+$/, 'expected a ccxt exchange id (e.g. binance)').optional(),
    exchangeOptions: z.string().min(1).optional(),
    symbols: SymbolListSchema,
    interval: IntervalSchema.default('1m'),
    since: TimeFlagSchema.optional(),
    until: TimeFlagSchema.optional(),
    progress: z.boolean().default(true),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.exchange === undefined) ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'is required: a ccxt exchange id (e.g. binance)' });
    if (f.symbols.length === 0) ctx.addIssue({ code: 'custom', path: ['symbols'], message: 'is required: the symbols to download, e.g. BTC/USDT,ETH/USDT' });
    if (f.since === undefined) ctx.addIssue({ code: 'custom', path: ['since'], message: 'is required: the open time of the first candle (e.g. 2024-01-01)' });
    if (f.since !== undefined && f.until !== undefined && f.until <= f.since) ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after --since' });
  });
export type DownloadFlags = z.output<typeof DownloadFlagsSchema>;

export const ListFlagsSchema = z.object({ ...common, symbol: z.array(z.string().min(1)).default([]), json: z.boolean().default(false) });
export type ListFlags = z.output<typeof ListFlagsSchema>;

export const ImportFlagsSchema = z
  .object({
    ...common,
    file: z.string().min(1).optional(),
    symbol: z.string().min(1).optional(),
    interval: IntervalSchema.optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.file === undefined) ctx.addIssue({ code: 'custom', path: ['file'], message: 'give the candle file to import: tickflow data import FILE --symbol SYM' });
    if (f.symbol === undefined) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'is required: the symbol the file’s candles belong to' });
  });
export type ImportFlags = z.output<typeof ImportFlagsSchema>;

export const ExportFlagsSchema = z
  .object({
    ...common,
    symbol: z.string().min(1).optional(),
    interval: IntervalSchema.optional(),
    from: TimeFlagSchema.optional(),
    to: TimeFlagSchema.optional(),
    out: z.string().min(1).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.symbol === undefined) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'is required: the symbol to export' });
    if (f.out === undefined) ctx.addIssue({ code: 'custom', path: ['out'], message: 'is required: the file to write (.json or .csv, or - for stdout as JSON)' });
    if (f.from !== undefined && f.to !== undefined && f.to <= f.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after --from' });
  });
export type ExportFlags = z.output<typeof ExportFlagsSchema>;

type ArgSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/**
 * Reads a `data` subcommand's flags (at most `positionals` positional arguments, given as `file`); camelCase keys,
 * `--no-progress` as `progress: false`. Every problem is a one-line UserError naming its flag.
 */
export function readDataFlags<S extends z.ZodType>(schema: S, argv: readonly string[], options: ArgSpec, positionals = 0): z.output<S> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: positionals > 0, options: { data: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...options } });
  } catch (err) {
    throw new UserError((err as Error).message.split('\n')[0]!);
  }
  if (parsed.positionals.length > positionals) throw new UserError(`unexpected argument '${parsed.positionals[positionals]}'`);
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed.values)) values[k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  if ('noProgress' in values) {
    values.progress = values.noProgress !== true;
    delete values.noProgress;
  }
  if (parsed.positionals[0] !== undefined) values.file = parsed.positionals[0];
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const flag = (path: readonly PropertyKey[]) => (path[0] === 'file' ? 'FILE' : `--${String(path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  throw new UserError(issueText(result.error.issues[0]!, flag));
}
