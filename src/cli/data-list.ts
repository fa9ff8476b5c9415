import { formatBytes } from './data-format.js';
import { isoTime } from '../core/time.js';
import { CandleStore } from '../store/candle-store.js';
import { summarizeSeries, type SeriesSummary } from '../store/candle-store-summary.js';
import type { ListFlags } from './data-args.js';

const minute = (t: number) => isoTime(t).slice(0, 16).replace('T', ' ');

/** `tickflow data list`: every series of the store (or of the `--symbol`s): span, candles, gaps, never-fetched parts, size. */
export async function dataList(flags: ListFlags): Promise<void> {
  const store = CandleStore.open({ path: flags.data, readOnly: true });
  let rows: SeriesSummary[];
  try {
    const wanted = new Set(flags.symbol);
    rows = store
      .series()
      .filter((s) => wanted.size === 0 || wanted.has(s.symbol))
      .map((s) => summarizeSeries(store, s))
      .filter((s): s is SeriesSummary => s !== null);
  } finally {
    await store.close();
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`${flags.data}: no candles${flags.symbol.length > 0 ? ` for ${flags.symbol.join(', ')}` : ''}\n`);
    return;
  }
  const table = [
    ['Symbol', 'Interval', 'From', 'To', 'Candles', 'Gaps (slots)', 'Not fetched', 'Size'],
    ...rows.map((r) => [
      r.symbol,
      r.interval,
      minute(r.first),
      minute(r.last),
      r.candles.toLocaleString('en-US'),
      `${r.gaps.runs} (${r.gaps.slots.toLocaleString('en-US')})`,
      r.missing.length === 0 ? '-' : r.missing.map((m) => `${minute(m.from)}..${minute(m.to)}`).join(', '),
      formatBytes(r.bytes),
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()}\n`);
}
