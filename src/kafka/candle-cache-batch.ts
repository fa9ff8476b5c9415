import type { Candle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import type { CandleCache } from '../store/types.js';

interface Pending {
  interval: Interval;
  readonly candles: Candle[];
}

/** Candles held before a flush writes them anyway, so a long stretch without one keeps memory bounded. */
const MAX_HELD = 10_000;

/**
 * Candles on their way to a candle cache, written in batches: one `putCandles` per run of consecutive candles of a
 * symbol, its span marked as fetched, instead of one durable write per candle. A caller that commits anything on
 * the strength of the cache (a Kafka offset, a checkpoint) flushes first.
 */
export class CandleCacheBatch {
  private readonly pending = new Map<string, Pending>();
  private held = 0;

  constructor(private readonly cache: CandleCache) {}

  add(symbol: string, interval: Interval, candle: Candle): void {
    let p = this.pending.get(symbol);
    if (p === undefined) this.pending.set(symbol, (p = { interval, candles: [] }));
    else if (p.interval !== interval) {
      this.write(symbol, p);
      p.interval = interval;
    }
    p.candles.push(candle);
    if (++this.held >= MAX_HELD) this.flush();
  }

  /** Writes every held candle. */
  flush(): void {
    if (this.held === 0) return;
    for (const [symbol, p] of this.pending) this.write(symbol, p);
  }

  private write(symbol: string, p: Pending): void {
    const { candles, interval } = p;
    if (candles.length === 0) return;
    const step = intervalMs(interval);
    let from = 0;
    for (let i = 1; i <= candles.length; i++) {
      if (i < candles.length && candles[i]!.timestamp === candles[i - 1]!.timestamp + step) continue;
      const run = candles.slice(from, i);
      this.cache.putCandles(symbol, interval, run, { from: run[0]!.timestamp, to: run[run.length - 1]!.timestamp + step });
      from = i;
    }
    this.held -= candles.length;
    candles.length = 0;
  }
}
