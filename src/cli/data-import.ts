import type { Candle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import type { CandleConsumer, CandleSource } from '../sources/candle-source.js';
import { candleFile } from '../sources/files.js';
import { CandleStore } from '../store/candle-store.js';
import type { ImportFlags } from './data-args.js';

const CHUNK = 50_000;

/** Reads `source` to its end, handing each candle to `each`. */
function readAll(source: CandleSource, each: (candle: Candle, interval: Interval) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const consumer: CandleConsumer = { next: (c) => each(c.candle, c.interval), error: reject, complete: resolve, closed: false };
    source.drive(consumer);
  });
}

/**
 * `tickflow data import FILE --symbol SYM`: the file's candles (JSON or CSV, read and checked as `--candles` reads
 * them) into the store, its span marked as covered (a missing slot inside it is a gap: no trades). The file is
 * checked whole before anything is written: a bad candle (named by file, line, symbol, time and field) leaves the
 * store as it was.
 */
export async function dataImport(flags: ImportFlags): Promise<void> {
  const file = flags.file!;
  const symbol = flags.symbol!;
  const source = candleFile(file, { symbol, interval: flags.interval, format: flags.format });
  let interval: Interval | undefined;
  let count = 0;
  await readAll(source, (_, i) => {
    interval = i;
    count++;
  });
  if (interval === undefined) {
    process.stdout.write(`${file}: no candles, nothing imported\n`);
    return;
  }
  const step = intervalMs(interval);
  const store = CandleStore.open({ path: flags.data });
  let first: number | null = null;
  let coveredTo = 0;
  let chunk: Candle[] = [];
  const flush = () => {
    if (chunk.length === 0) return;
    const from = first === null ? chunk[0]!.timestamp : coveredTo;
    first ??= chunk[0]!.timestamp;
    coveredTo = chunk[chunk.length - 1]!.timestamp + step;
    store.putCandles(symbol, interval!, chunk, { from, to: coveredTo });
    chunk = [];
  };
  try {
    await readAll(source, (candle) => {
      chunk.push(candle);
      if (chunk.length >= CHUNK) flush();
    });
    flush();
  } finally {
    await store.close();
  }
  const last = coveredTo - step;
  process.stdout.write(`${symbol} ${interval}: imported ${count.toLocaleString('en-US')} candles from ${file}, ${isoTime(first!).slice(0, 16)} → ${isoTime(last).slice(0, 16)}, into ${flags.data}\n`);
}
