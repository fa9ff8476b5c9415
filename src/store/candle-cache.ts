import type { Database, Key } from 'lmdb';
import type { Candle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import { mergeRanges, subtractRanges, type TimeRange } from './ranges.js';
import type { Quarantine } from './quarantine.js';
import { RANGE_VERSION, RangeRecordSchema, candleRecord, describeIssues, readCandleRecord } from './records.js';
import { safeRange } from './safe-read.js';
import type { CandleCache } from './types.js';

const CHUNK = 1000;

/**
 * The candle cache on LMDB: candles keyed `[symbol, interval, timestamp]` (lmdb's ordered array keys make a time
 * range one cursor scan) and fetched ranges keyed `[symbol, interval, from]`. Ranges are what let a source tell a
 * real gap (fetched, no trades) from a hole (never fetched), so gaps are not refetched forever.
 */
export class LmdbCandleCache implements CandleCache {
  constructor(
    private readonly candles: Database<unknown, Key>,
    private readonly ranges: Database<unknown, Key>,
    private readonly quarantine: Quarantine,
  ) {}

  putCandles(symbol: string, interval: Interval, candles: readonly Candle[], covered?: TimeRange): void {
    this.candles.transactionSync(() => {
      for (const c of candles) this.candles.putSync([symbol, interval, c.timestamp], candleRecord(c));
      if (covered !== undefined && covered.to > covered.from) this.cover(symbol, interval, covered);
    });
  }

  *readCandles(
    symbol: string,
    interval: Interval,
    from: number,
    to: number,
    onInvalid?: (timestamp: number) => void,
  ): Iterable<Candle> {
    const step = intervalMs(interval);
    let start = from;
    for (;;) {
      const chunk = safeRange(this.candles, [symbol, interval, start], [symbol, interval, to], CHUNK);
      for (const { key, read } of chunk) {
        const timestamp = (key as unknown[])[2] as number;
        const candle = read.ok ? readCandleRecord(timestamp, read.value) : { reason: read.reason };
        if ('timestamp' in candle) {
          yield candle;
          continue;
        }
        const slot = { from: timestamp, to: timestamp + step };
        this.quarantine.move(
          this.candles,
          'candles',
          key,
          read.ok ? read.value : read.raw,
          `cached candle for ${symbol} ${interval} at ${isoTime(timestamp)} (${timestamp}): ${candle.reason}`,
          () => this.uncover(symbol, interval, slot),
        );
        onInvalid?.(timestamp);
      }
      if (chunk.length < CHUNK) return;
      start = ((chunk[chunk.length - 1]!.key as unknown[])[2] as number) + 1;
    }
  }

  coveredRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[] {
    const out: TimeRange[] = [];
    for (const r of this.readRanges(symbol, interval)) {
      if (r.to > from && r.from < to) out.push({ from: Math.max(r.from, from), to: Math.min(r.to, to) });
    }
    return mergeRanges(out);
  }

  missingRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[] {
    return subtractRanges(from, to, this.coveredRanges(symbol, interval, from, to));
  }

  /** All ranges of one series; unreadable range records are quarantined (and so count as not fetched). */
  private readRanges(symbol: string, interval: Interval): TimeRange[] {
    const out: TimeRange[] = [];
    for (const { key, read } of safeRange(this.ranges, [symbol, interval], [symbol, interval, Infinity])) {
      const from = (key as unknown[])[2];
      const parsed = read.ok ? RangeRecordSchema.safeParse(read.value) : null;
      if (parsed?.success && typeof from === 'number' && parsed.data[1] > from) {
        out.push({ from, to: parsed.data[1] });
        continue;
      }
      const reason = parsed === null ? (read as { reason: string }).reason : parsed.success ? 'range ends before it starts' : describeIssues(parsed.error);
      this.quarantine.move(this.ranges, 'ranges', key, read.ok ? read.value : read.raw, `fetched range of ${symbol} ${interval}: ${reason}`);
    }
    return out;
  }

  /** Inside a transaction: add `[from, to)` to the series' ranges, merged with the ones it touches. */
  private cover(symbol: string, interval: Interval, range: TimeRange): void {
    const existing = this.readRanges(symbol, interval);
    const touching = existing.filter((r) => r.to >= range.from && r.from <= range.to);
    for (const r of touching) this.ranges.removeSync([symbol, interval, r.from]);
    const merged = mergeRanges([...touching, range]);
    for (const r of merged) this.ranges.putSync([symbol, interval, r.from], [RANGE_VERSION, r.to]);
  }

  /** Inside a transaction: remove `[from, to)` from the series' ranges. */
  private uncover(symbol: string, interval: Interval, hole: TimeRange): void {
    for (const r of this.readRanges(symbol, interval)) {
      if (r.to <= hole.from || r.from >= hole.to) continue;
      this.ranges.removeSync([symbol, interval, r.from]);
      if (r.from < hole.from) this.ranges.putSync([symbol, interval, r.from], [RANGE_VERSION, hole.from]);
      if (r.to > hole.to) this.ranges.putSync([symbol, interval, hole.to], [RANGE_VERSION, r.to]);
    }
  }
}
