import type { z } from 'zod';
import type { Interval } from '../core/intervals.js';
import type { CandleSource } from '../sources/candle-source.js';
import { candleFiles } from '../sources/files.js';
import { estimateCandles, type ProgressMeasure } from './progress.js';

/** The candles a run reads: files paired with symbols (`--candles F --symbol S …`) or the store (`--data DIR --symbol S …`). */
export interface RunData {
  readonly candles: readonly string[];
  readonly symbol: readonly string[];
  readonly interval?: Interval;
  readonly data?: string;
}

export const DATA_FLAG_HELP = `--data DIR --symbol SYM [--symbol SYM2 …]: read the candle store at DIR (filled by 'tickflow data download' or
    'tickflow data import') instead of --candles files; each symbol's interval is the one stored (--interval picks one
    when a symbol has several)`;

/**
 * Checks how the run's data is given: either `--candles` files each with its `--symbol`, or `--data DIR` with one or
 * more `--symbol` (never both). `missing` is the message when neither is given; `paths` name the flag of each problem.
 */
export function checkRunData(f: RunData, ctx: z.RefinementCtx, missing: string, paths: { missing: PropertyKey[]; pairs: PropertyKey[] } = { missing: [], pairs: [] }): void {
  if (f.data !== undefined) {
    if (f.candles.length > 0) ctx.addIssue({ code: 'custom', path: ['data'], message: 'reads the candle store: drop --candles (or drop --data to read the files)' });
    else if (f.symbol.length === 0) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'give the symbols to read from the candle store: --data DIR --symbol SYM [--symbol SYM2 …]' });
    else if (new Set(f.symbol).size !== f.symbol.length) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'a symbol is given twice' });
    return;
  }
  if (f.candles.length === 0) {
    ctx.addIssue({ code: 'custom', path: paths.missing, message: missing });
    return;
  }
  if (f.candles.length !== f.symbol.length) {
    ctx.addIssue({
      code: 'custom',
      path: paths.pairs,
      message: `each --candles FILE needs its --symbol SYM (got ${f.candles.length} --candles and ${f.symbol.length} --symbol)`,
    });
  }
}

/**
 * The run's source and how to measure its progress. The store (and with it lmdb) is loaded only for `--data`; its
 * symbols and intervals are checked here, before the run starts.
 */
export async function runSource(f: RunData): Promise<{ source: CandleSource; progress: ProgressMeasure | null }> {
  if (f.data !== undefined) {
    const { storeCandles } = await import('../sources/store-source.js');
    const source = storeCandles({ path: f.data, symbols: [...f.symbol], interval: f.interval });
    return { source, progress: { kind: 'span', from: source.plan.from, to: source.plan.to } };
  }
  const source = candleFiles(f.candles.map((path, i) => ({ path, symbol: f.symbol[i]!, interval: f.interval })));
  const total = estimateCandles(f.candles);
  return { source, progress: total === null ? null : { kind: 'count', total, estimate: true } };
}
