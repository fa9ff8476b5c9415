import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { Interval } from '../core/intervals.js';
import type { DataSpec } from './messages.js';

/**
 * The data spec of a stream of candles: its symbols (sorted), its one interval, its span [first open, last open + 1)
 * and the sha256 of every candle in stream order (symbol, interval, then the six Float64 fields little-endian).
 * Two sources with the same spec hand an engine the very same candles. Null without candles.
 */
export function dataSpecOf(source: Observable<SymbolCandle>): Promise<DataSpec | null> {
  const hash = createHash('sha256');
  const row = new Float64Array(6);
  const bytes = Buffer.from(row.buffer);
  const symbols = new Set<string>();
  const intervals = new Set<Interval>();
  let from = Infinity;
  let last = -Infinity;
  return new Promise((resolve, reject) => {
    source.subscribe({
      next: ({ symbol, interval, candle: c }) => {
        symbols.add(symbol);
        intervals.add(interval);
        if (c.timestamp < from) from = c.timestamp;
        if (c.timestamp > last) last = c.timestamp;
        row[0] = c.timestamp;
        row[1] = c.open;
        row[2] = c.high;
        row[3] = c.low;
        row[4] = c.close;
        row[5] = c.volume;
        hash.update(symbol).update('\0').update(interval).update('\0').update(bytes);
      },
      error: reject,
      complete: () => {
        if (symbols.size === 0) return resolve(null);
        if (intervals.size > 1) return reject(new Error(`a distributed study needs candles of one interval (got ${[...intervals].join(', ')})`));
        resolve({ symbols: [...symbols].sort(), interval: [...intervals][0]!, from, to: last + 1, sha256: hash.digest('hex') });
      },
    });
  });
}

/** sha256 of a file's bytes (the strategy module a batch names). */
export async function fileSha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}
