import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { z } from 'zod';
import { checkCandle, type Candle } from '../core/candle.js';
import { IntervalSchema, intervalMs, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import { candlesOf, dayOf, decodeDay, encodeDay, DAY_MS, type DayColumns } from './candle-store-record.js';
import { describeIssues } from './describe-issues.js';
import { mergeRanges, subtractRanges, type TimeRange } from './ranges.js';
import { checkStoreFile } from './store-file-check.js';
import type { CandleCache } from './types.js';
import { versionedFormat } from './versioned.js';

/** A candle store that cannot be used as asked (missing, damaged, or without the series asked for). One line, exit 2. */
export class CandleStoreError extends Error {
  override readonly name = 'CandleStoreError';
  readonly userError = true;
}

export const CandleStoreOptionsSchema = z.strictObject({
  /** Directory of the store's LMDB environment. */
  path: z.string().min(1, 'path must be a non-empty directory'),
  /** Open for reading only: a missing store is an error instead of being created. Default false. */
  readOnly: z.boolean().optional(),
  /** Skip the fsync per commit (a killed process still loses nothing; a power cut may). Default false. */
  noSync: z.boolean().optional(),
});
export type CandleStoreOptions = z.input<typeof CandleStoreOptionsSchema>;

const STORE_META_VERSION = 1;
const StoreMetaV1Schema = z.strictObject({ version: z.literal(1), kind: z.literal('tickflow candle store') });
const STORE_META = versionedFormat<z.output<typeof StoreMetaV1Schema>>('candle store', [{ version: 1, schema: StoreMetaV1Schema }]);
const COVER_VERSION = 1;
const CoverRecordSchema = z.tuple([z.literal(COVER_VERSION), z.number().int()]);

/** One stored series: a symbol at one interval. */
export interface SeriesKey {
  readonly symbol: string;
  readonly interval: Interval;
}

/**
 * The candle store: one LMDB environment holding, per symbol × interval × UTC day, one binary record of packed
 * Float64 columns (see candle-store-record.ts), plus the ranges that were fetched or imported. A slot inside a
 * covered range with no candle is a recorded gap (no trades); a slot outside is simply not downloaded yet. Every
 * candle is validated on write (fields, OHLC, on the interval's grid), every record when read.
 *
 * It is a {@link CandleCache}, so `ccxtCandles({ store: { candles: store } })` downloads into it page by page:
 * coverage advances only over what was written, which is what makes an interrupted download resumable.
 */
export class CandleStore implements CandleCache {
  private readonly days: Database<Buffer, Key>;
  private readonly covers: Database<unknown, Key>;
  private readonly meta: Database<unknown, Key>;

  private constructor(
    readonly path: string,
    private readonly root: RootDatabase<unknown, Key>,
  ) {
    this.days = root.openDB<Buffer, Key>({ name: 'days', encoding: 'binary' });
    this.covers = root.openDB<unknown, Key>({ name: 'covers' });
    this.meta = root.openDB<unknown, Key>({ name: 'meta' });
  }

  /** Opens (or, unless `readOnly`, creates) the store at `path`. */
  static open(options: CandleStoreOptions): CandleStore {
    const parsed = CandleStoreOptionsSchema.safeParse(options);
    if (!parsed.success) throw new Error(`candle store: ${describeIssues(parsed.error)}`);
    const { path, readOnly = false, noSync = false } = parsed.data;
    if (readOnly && !existsSync(join(path, 'data.mdb'))) {
      const what = existsSync(path) && !statSync(path).isDirectory() ? 'is a file, not a candle store directory' : 'holds no candle store';
      throw new CandleStoreError(`${path} ${what}: fill it with 'tickflow data download' or 'tickflow data import' (or give --data DIR)`);
    }
    checkStoreFile(path);
    const root = open<unknown, Key>({ path, maxDbs: 4, noSync, overlappingSync: false, readOnly });
    const store = new CandleStore(path, root);
    try {
      store.checkMeta(readOnly);
    } catch (err) {
      void root.close();
      throw err;
    }
    return store;
  }

  private checkMeta(readOnly: boolean): void {
    const raw = this.meta.get('store');
    if (raw === undefined) {
      if (!readOnly) this.meta.putSync('store', { version: STORE_META_VERSION, kind: 'tickflow candle store' });
      return;
    }
    const read = STORE_META.read(raw);
    if (!read.ok) throw new CandleStoreError(`${this.path}: ${read.reason}`);
  }

  /**
   * Validates and stores `candles` (any order; a timestamp already stored is overwritten) and marks `covered` as
   * fetched, in one transaction. A bad candle throws before anything is written.
   */
  putCandles(symbol: string, interval: Interval, candles: readonly Candle[], covered?: TimeRange, at?: (i: number) => string): void {
    IntervalSchema.parse(interval);
    const byDay = new Map<number, Candle[]>();
    for (let i = 0; i < candles.length; i++) {
      const c = checkCandle(candles[i], { symbol, interval, at: at === undefined ? `candle ${i + 1} of ${candles.length}` : () => at(i) });
      const day = dayOf(c.timestamp);
      let list = byDay.get(day);
      if (list === undefined) byDay.set(day, (list = []));
      list.push(c);
    }
    this.days.transactionSync(() => {
      for (const [day, fresh] of byDay) {
        const key: Key = [symbol, interval, day];
        const old = this.days.getBinary(key);
        const existing = old === undefined ? [] : candlesOf(this.decode(symbol, interval, day, old));
        this.days.putSync(key, encodeDay(mergeCandles(existing, fresh)));
      }
      if (covered !== undefined && covered.to > covered.from) this.cover(symbol, interval, covered);
    });
  }

  /** Stored candles with `from ≤ timestamp < to`, oldest first, a day at a time. A damaged record throws. */
  *readCandles(symbol: string, interval: Interval, from: number, to: number): Iterable<Candle> {
    for (const day of this.dayKeys(symbol, interval, from, to)) {
      const cols = this.readDay(symbol, interval, day)!;
      for (const c of candlesOf(cols)) if (c.timestamp >= from && c.timestamp < to) yield c;
    }
  }

  /** The UTC days with a record in `[from, to)` (by candle open time), in order. */
  dayKeys(symbol: string, interval: Interval, from = 0, to = Infinity): number[] {
    const out: number[] = [];
    for (const key of this.days.getKeys({ start: [symbol, interval, dayOf(Math.max(0, from))], end: [symbol, interval, to] })) {
      out.push((key as unknown[])[2] as number);
    }
    return out;
  }

  /** One day's columns, checked; undefined when there is no record. A damaged record throws a {@link CandleStoreError}. */
  readDay(symbol: string, interval: Interval, day: number): DayColumns | undefined {
    const raw = this.days.getBinary([symbol, interval, day]);
    return raw === undefined ? undefined : this.decode(symbol, interval, day, raw);
  }

  /** Bytes of a day's record (0 when absent). */
  daySize(symbol: string, interval: Interval, day: number): number {
    return this.days.getBinary([symbol, interval, day])?.byteLength ?? 0;
  }

  private decode(symbol: string, interval: Interval, day: number, raw: Uint8Array): DayColumns {
    const cols = decodeDay(raw, day, interval);
    if (typeof cols === 'string') {
      throw new CandleStoreError(
        `candle store ${this.path} is damaged: record ${symbol} ${interval} ${isoTime(day).slice(0, 10)}: ${cols}. ` +
          `Delete the series and download or import it again`,
      );
    }
    return cols;
  }

  /** Every stored series, by symbol then interval. */
  series(): SeriesKey[] {
    const out: SeriesKey[] = [];
    let last: string | null = null;
    for (const key of this.days.getKeys({})) {
      const [symbol, interval] = key as [string, Interval];
      const id = `${symbol}\u0000${interval}`;
      if (id !== last) out.push({ symbol, interval });
      last = id;
    }
    return out;
  }

  coveredRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[] {
    const out: TimeRange[] = [];
    for (const r of this.readCovers(symbol, interval)) {
      if (r.to > from && r.from < to) out.push({ from: Math.max(r.from, from), to: Math.min(r.to, to) });
    }
    return mergeRanges(out);
  }

  missingRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[] {
    return subtractRanges(from, to, this.coveredRanges(symbol, interval, from, to));
  }

  /** Removes a series: its candles and its coverage. */
  deleteSeries(symbol: string, interval: Interval): void {
    this.days.transactionSync(() => {
      for (const day of this.dayKeys(symbol, interval)) this.days.removeSync([symbol, interval, day]);
      for (const r of this.readCovers(symbol, interval)) this.covers.removeSync([symbol, interval, r.from]);
    });
  }

  close(): Promise<void> {
    return this.root.close();
  }

  private readCovers(symbol: string, interval: Interval): TimeRange[] {
    const out: TimeRange[] = [];
    for (const { key, value } of this.covers.getRange({ start: [symbol, interval], end: [symbol, interval, Infinity] })) {
      const from = (key as unknown[])[2];
      const parsed = CoverRecordSchema.safeParse(value);
      if (!parsed.success || typeof from !== 'number' || parsed.data[1] <= from) {
        const why = parsed.success ? 'range ends before it starts' : describeIssues(parsed.error);
        throw new CandleStoreError(`candle store ${this.path} is damaged: covered range of ${symbol} ${interval} at ${String(from)}: ${why}`);
      }
      out.push({ from, to: parsed.data[1] });
    }
    return out;
  }

  /** Inside a transaction: add `[from, to)` to the series' coverage, merged with the ranges it touches. */
  private cover(symbol: string, interval: Interval, range: TimeRange): void {
    const step = intervalMs(interval);
    const aligned = { from: Math.floor(range.from / step) * step, to: Math.ceil(range.to / step) * step };
    const touching = this.readCovers(symbol, interval).filter((r) => r.to >= aligned.from && r.from <= aligned.to);
    for (const r of touching) this.covers.removeSync([symbol, interval, r.from]);
    for (const r of mergeRanges([...touching, aligned])) this.covers.putSync([symbol, interval, r.from], [COVER_VERSION, r.to]);
  }
}

/** `existing` and `fresh` merged by timestamp, `fresh` winning a tie; both may be unsorted. */
function mergeCandles(existing: readonly Candle[], fresh: readonly Candle[]): Candle[] {
  if (existing.length === 0 && isSorted(fresh)) return dedupe(fresh);
  const byTime = new Map<number, Candle>();
  for (const c of existing) byTime.set(c.timestamp, c);
  for (const c of fresh) byTime.set(c.timestamp, c);
  return [...byTime.values()].sort((a, b) => a.timestamp - b.timestamp);
}

function isSorted(candles: readonly Candle[]): boolean {
  for (let i = 1; i < candles.length; i++) if (candles[i]!.timestamp < candles[i - 1]!.timestamp) return false;
  return true;
}

/** Sorted candles with each timestamp once, the later one winning. */
function dedupe(candles: readonly Candle[]): Candle[] {
  const out: Candle[] = [];
  for (const c of candles) {
    if (out.length > 0 && out[out.length - 1]!.timestamp === c.timestamp) out[out.length - 1] = c;
    else out.push(c);
  }
  return out;
}

export { DAY_MS };
