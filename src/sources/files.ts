import { z } from 'zod';
import type { Candle, SymbolCandle } from '../core/candle.js';
import { IntervalSchema } from '../core/intervals.js';
import { CandleSource } from './candle-source.js';
import { readCandleFile } from './file-reader.js';
import { checkInterval, inferInterval, readAhead, INFER_INTERVAL_CANDLES } from './infer-interval.js';
import { onGrid } from './on-grid.js';
import { mergeByTime, type SymbolPull } from './merge.js';
import { normalizeCandles } from './normalize.js';
import { OptionsError, parseOptions } from '../core/options.js';
import type { Pull } from './pull.js';

/** One candle file: where it is, whose candles it holds, and optionally their interval and format. */
export const CandleFileSpecSchema = z.strictObject({
  path: z.string().min(1, 'path must be a non-empty string'),
  symbol: z.string().min(1, 'symbol must be a non-empty string'),
  /**
   * The data's interval. Default: inferred from the smallest step between the first 100 candles; when given, that
   * step must equal it. Every timestamp must lie on the interval's grid.
   */
  interval: IntervalSchema.optional(),
  /** Default: from the extension (.json, .csv), else from the first non-space character (`[` is JSON). */
  format: z.enum(['json', 'csv']).optional(),
});
export type CandleFileSpec = z.input<typeof CandleFileSpecSchema>;

export const CandleFilesOptionsSchema = z.strictObject({
  /** Bytes per read (default 64 KiB). */
  highWaterMark: z.number().int().positive().optional(),
  /** Called for each duplicate timestamp dropped (first wins). */
  onDuplicate: z.custom<(symbol: string, candle: Candle) => void>((f) => typeof f === 'function', 'must be a function').optional(),
});
export type CandleFilesOptions = z.input<typeof CandleFilesOptionsSchema>;

export type CandleFileOptions = Omit<CandleFileSpec, 'path'> & CandleFilesOptions;

/**
 * Candles of several files (one symbol each), streamed and merged in time order (ties by symbol). Each file is a
 * JSON array of `[ts, o, h, l, c, v]` rows or of `{ timestamp, open, high, low, close, volume }` objects, or a CSV
 * with a header row. Every candle is validated (errors name the file, line, symbol, time and field), its timestamp
 * on its interval's grid (epoch seconds are rejected with a hint to convert them); duplicate
 * timestamps are dropped (first wins), an out-of-order candle is an error. Files are read when subscribed, again
 * for every subscription, and closed when the subscriber stops early.
 *
 * @example
 * ```ts
 * candleFiles([
 *   { path: 'data/ETH_BTC-1m.json', symbol: 'ETH/BTC' },
 *   { path: 'data/ltc.csv', symbol: 'LTC/BTC', interval: '1m' },
 * ]).subscribe(({ symbol, candle }) => console.log(symbol, candle.close));
 * ```
 */
export function candleFiles(files: readonly CandleFileSpec[], options: CandleFilesOptions = {}): CandleSource {
  const specs = parseOptions(z.array(CandleFileSpecSchema).min(1, 'give at least one file'), files, 'candle files');
  const { highWaterMark, onDuplicate } = parseOptions(CandleFilesOptionsSchema, options, 'candle files options');
  const seen = new Map<string, string>();
  for (const f of specs) {
    const other = seen.get(f.symbol);
    if (other !== undefined) throw new OptionsError(`candle files: symbol ${f.symbol} is given by both ${other} and ${f.path}`);
    seen.set(f.symbol, f.path);
  }

  return new CandleSource(() => {
    const inputs = specs.map((f) => ({
      spec: f,
      candles: normalizeCandles(readCandleFile(f.path, { symbol: f.symbol, format: f.format, highWaterMark }), {
        symbol: f.symbol,
        label: f.path,
        validate: false,
        onDuplicate: onDuplicate && ((c) => onDuplicate(f.symbol, c)),
      }),
    }));
    // The merge needs every interval up front: each file's first candles are peeked at to infer its interval, or to
    // check the one given against the data.
    const start = async (): Promise<Pull<SymbolCandle>> => {
      const pulls: SymbolPull[] = [];
      for (const { spec, candles } of inputs) {
        const { head, rest } = await readAhead(candles, INFER_INTERVAL_CANDLES);
        const interval = spec.interval === undefined ? inferInterval(head, spec.path) : checkInterval(head, spec.interval, spec.path);
        pulls.push({ symbol: spec.symbol, interval, candles: onGrid(rest, spec.symbol, interval, spec.path) });
      }
      return mergeByTime(pulls);
    };
    return startingWith(start, () => {
      for (const i of inputs) void i.candles.close?.();
    });
  });
}

/** A reader whose real reader is made on the first `next()`; `close` works before and after. */
function startingWith<T>(start: () => Promise<Pull<T>>, close: () => void): Pull<T> {
  let inner: Pull<T> | null = null;
  return {
    next() {
      if (inner !== null) return inner.next();
      return start().then((p) => {
        inner = p;
        return p.next();
      });
    },
    close,
  };
}

/**
 * Candles of one file (see {@link candleFiles} for the formats and checks).
 *
 * @example
 * ```ts
 * candleFile('../shared/data/freqtrade/ETH_BTC-1m.json', { symbol: 'ETH/BTC' }).subscribe(console.log);
 * candleFile('btc.csv', { symbol: 'BTC/USDT', interval: '1h', format: 'csv' });
 * ```
 */
export function candleFile(path: string, options: CandleFileOptions): CandleSource {
  const { highWaterMark, onDuplicate, ...spec } = options;
  return candleFiles([{ ...spec, path }], { highWaterMark, onDuplicate });
}
