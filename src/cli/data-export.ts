import { closeSync, openSync, writeSync } from 'node:fs';
import type { CandleConsumer } from '../sources/candle-source.js';
import { storeCandles } from '../sources/store-source.js';
import type { ExportFlags } from './data-args.js';

const FLUSH_CHARS = 1 << 20;

/**
 * `tickflow data export --symbol SYM --out FILE`: the stored candles as a JSON array of `[ts, o, h, l, c, v]` rows
 * (or CSV with a header row for a `.csv` file; `-` writes JSON to stdout), the same formats `--candles` and
 * `data import` read. Written in 1 MiB pieces as the candles are read, so memory stays flat whatever the span.
 */
export async function dataExport(flags: ExportFlags): Promise<void> {
  const source = storeCandles({ path: flags.data, symbols: [flags.symbol!], interval: flags.interval, from: flags.from, to: flags.to });
  const toStdout = flags.out === '-';
  const csv = !toStdout && flags.out!.toLowerCase().endsWith('.csv');
  const fd = toStdout ? null : openSync(flags.out!, 'w');
  const emit = (text: string) => (fd === null ? process.stdout.write(text) : writeSync(fd, text));
  let buffer = csv ? 'timestamp,open,high,low,close,volume\n' : '[';
  let count = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const consumer: CandleConsumer = {
        next: ({ candle: c }) => {
          const row = `${c.timestamp},${c.open},${c.high},${c.low},${c.close},${c.volume}`;
          buffer += csv ? `${row}\n` : `${count === 0 ? '' : ','}\n[${row}]`;
          count++;
          if (buffer.length >= FLUSH_CHARS) {
            emit(buffer);
            buffer = '';
          }
        },
        error: reject,
        complete: resolve,
        closed: false,
      };
      source.drive(consumer);
    });
    if (!csv) buffer += count === 0 ? ']\n' : '\n]\n';
    emit(buffer);
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (fd !== null) process.stdout.write(`${flags.symbol} ${source.plan.series[0]!.interval}: exported ${count.toLocaleString('en-US')} candles to ${flags.out}\n`);
}
