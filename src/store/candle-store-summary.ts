import { intervalMs } from '../core/intervals.js';
import type { CandleStore, SeriesKey } from './candle-store.js';
import type { TimeRange } from './ranges.js';

/** What `tickflow data list` shows of one series. */
export interface SeriesSummary extends SeriesKey {
  /** Open time of the first and last stored candle. */
  readonly first: number;
  readonly last: number;
  readonly candles: number;
  /** Recorded gaps: runs of slots inside fetched ranges with no candle (no trades), and how many slots they span. */
  readonly gaps: { readonly runs: number; readonly slots: number; readonly longest: TimeRange | null };
  /** Parts of `[first, last]` never fetched or imported (a download would fill them). */
  readonly missing: readonly TimeRange[];
  /** Bytes of the series' day records. */
  readonly bytes: number;
}

/** Reads a series whole (a day at a time) to count its candles and gaps. */
export function summarizeSeries(store: CandleStore, key: SeriesKey): SeriesSummary | null {
  const { symbol, interval } = key;
  const step = intervalMs(interval);
  const days = store.dayKeys(symbol, interval);
  if (days.length === 0) return null;
  let candles = 0;
  let bytes = 0;
  let first = Infinity;
  let last = -Infinity;
  const stamps: number[] = [];
  for (const day of days) {
    const cols = store.readDay(symbol, interval, day)!;
    bytes += store.daySize(symbol, interval, day);
    candles += cols.count;
    for (let i = 0; i < cols.count; i++) stamps.push(cols.data[i]!);
  }
  first = stamps[0]!;
  last = stamps[stamps.length - 1]!;
  const covered = store.coveredRanges(symbol, interval, first, last + step);
  const missing = store.missingRanges(symbol, interval, first, last + step);
  // A gap is a run of empty slots between two stored candles that lies inside a covered range.
  let runs = 0;
  let slots = 0;
  let longest: TimeRange | null = null;
  let c = 0;
  for (let i = 1; i < stamps.length; i++) {
    const from = stamps[i - 1]! + step;
    const to = stamps[i]!;
    if (to <= from) continue;
    while (c < covered.length && covered[c]!.to <= from) c++;
    const inside = c < covered.length && covered[c]!.from <= from && covered[c]!.to >= to;
    if (!inside) continue;
    runs++;
    slots += (to - from) / step;
    if (longest === null || to - from > longest.to - longest.from) longest = { from, to };
  }
  return { symbol, interval, first, last, candles, gaps: { runs, slots, longest }, missing, bytes };
}
