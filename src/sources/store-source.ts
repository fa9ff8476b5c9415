import { z } from 'zod';
import type { Candle, SymbolCandle } from '../core/candle.js';
import { IntervalSchema, type Interval } from '../core/intervals.js';
import { parseOptions } from '../core/options.js';
import { isoTime } from '../core/time.js';
import { CandleStore, CandleStoreError } from '../store/candle-store.js';
import type { DayColumns } from '../store/candle-store-record.js';
import { CandleSource } from './candle-source.js';
import { mergeByTime } from './merge.js';
import type { Pull } from './pull.js';

export const StoreCandlesOptionsSchema = z.strictObject({
  /** Directory of the candle store (`tickflow data --data DIR`). */
  path: z.string().min(1, 'path must be a non-empty directory'),
  /** The symbols to replay, merged in time order (ties by symbol). */
  symbols: z.array(z.string().min(1)).min(1, 'give at least one symbol'),
  /** Default: the one interval stored for each symbol (an error when a symbol has several). */
  interval: IntervalSchema.optional(),
  /** Open time of the first candle (inclusive, epoch ms). */
  from: z.number().int().nonnegative().optional(),
  /** Candles opening before this (exclusive, epoch ms). */
  to: z.number().int().nonnegative().optional(),
});
export type StoreCandlesOptions = z.input<typeof StoreCandlesOptionsSchema>;

/** What a store source will replay: each symbol's interval, its time span and candle count (for progress bars). */
export interface StorePlan {
  readonly series: ReadonlyArray<{ readonly symbol: string; readonly interval: Interval; readonly first: number; readonly last: number }>;
  /** Earliest and latest open time over all series (within from/to). */
  readonly from: number;
  readonly to: number;
}

/**
 * Candles of the candle store (`tickflow data download` / `import`), replayed at memory speed: one binary day
 * record is read and checked at a time, candles are handed over synchronously, merged across symbols by close time
 * (ties by symbol). Symbols, intervals and the store itself are checked when this is called (an unknown symbol, a
 * symbol with several intervals and no `interval`, a missing or damaged store throw a {@link CandleStoreError});
 * a damaged record met during the replay fails the stream with an error naming the series, the day and the field.
 *
 * @example
 * ```ts
 * import { storeCandles } from 'tickflow/lmdb';
 * backtest({ source: storeCandles({ path: './data', symbols: ['BTC/USDT', 'ETH/USDT'] }), strategies: [s] });
 * ```
 */
export function storeCandles(options: StoreCandlesOptions): CandleSource & { readonly plan: StorePlan } {
  const opts = parseOptions(StoreCandlesOptionsSchema, options, 'storeCandles');
  const from = opts.from ?? 0;
  const to = opts.to ?? Infinity;
  const plan = planOf(opts.path, opts.symbols, opts.interval, from, to);
  const source = new CandleSource(() => {
    const store = CandleStore.open({ path: opts.path, readOnly: true });
    const merged = mergeByTime(plan.series.map(({ symbol, interval }) => ({ symbol, interval, candles: new StoreSeries(store, symbol, interval, from, to) })));
    return closingWhenDone(merged, () => void store.close());
  });
  return Object.assign(source, { plan });
}

function planOf(path: string, symbols: readonly string[], interval: Interval | undefined, from: number, to: number): StorePlan {
  const store = CandleStore.open({ path, readOnly: true });
  try {
    const all = store.series();
    const series = symbols.map((symbol) => {
      const stored = all.filter((s) => s.symbol === symbol).map((s) => s.interval);
      if (stored.length === 0) {
        const known = [...new Set(all.map((s) => s.symbol))];
        throw new CandleStoreError(`symbol ${symbol} is not in the candle store ${path} (it holds ${known.length === 0 ? 'nothing yet' : known.join(', ')})`);
      }
      if (interval !== undefined && !stored.includes(interval)) {
        throw new CandleStoreError(`symbol ${symbol} has no ${interval} candles in the candle store ${path} (it has ${stored.join(', ')})`);
      }
      if (interval === undefined && stored.length > 1) {
        throw new CandleStoreError(`symbol ${symbol} has ${stored.join(', ')} candles in the candle store ${path}: say which with --interval`);
      }
      const chosen = interval ?? stored[0]!;
      const days = store.dayKeys(symbol, chosen, from, to);
      const head = days.length > 0 ? store.readDay(symbol, chosen, days[0]!)! : undefined;
      const tail = days.length > 0 ? store.readDay(symbol, chosen, days[days.length - 1]!)! : undefined;
      const first = head ? Math.max(from, head.data[0]!) : from;
      let last = from;
      for (let i = (tail?.count ?? 0) - 1; i >= 0; i--) {
        if (tail!.data[i]! < to) {
          last = tail!.data[i]!;
          break;
        }
      }
      return { symbol, interval: chosen, first, last };
    });
    const twice = symbols.find((s, i) => symbols.indexOf(s) !== i);
    if (twice !== undefined) throw new CandleStoreError(`symbol ${twice} is given twice`);
    return { series, from: Math.min(...series.map((s) => s.first)), to: Math.max(...series.map((s) => s.last)) };
  } finally {
    void store.close();
  }
}

/** Releases the store once the merged input has ended or the consumer stopped. */
function closingWhenDone(inner: Pull<SymbolCandle>, release: () => void): Pull<SymbolCandle> {
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    release();
  };
  const pull: Pull<SymbolCandle> = {
    next() {
      const r = inner.next() as IteratorResult<SymbolCandle>;
      if (r.done) end();
      return r;
    },
    close() {
      end();
    },
  };
  if (inner.drain !== undefined) {
    pull.drain = (each, reuse) => {
      const done = inner.drain!(each, reuse);
      if (done) end();
      return done;
    };
  }
  return pull;
}

const DONE: IteratorResult<Candle> = { done: true, value: undefined };

/**
 * One series of the store, a day record at a time: synchronous, with `drain` so the merge and the engine's driver
 * take the in-memory fast path. Each candle is a fresh object (the engine may keep it in its history).
 */
class StoreSeries implements Pull<Candle> {
  private readonly days: number[];
  private next_ = 0;
  private cols: DayColumns | null = null;
  private i = 0;
  private readonly result = { done: false as const, value: undefined as unknown as Candle };

  constructor(
    private readonly store: CandleStore,
    private readonly symbol: string,
    private readonly interval: Interval,
    private readonly from: number,
    private readonly to: number,
  ) {
    this.days = store.dayKeys(symbol, interval, from, to);
  }

  /** Loads the next day with a candle at or after `from`; false at the end. */
  private load(): boolean {
    while (this.next_ < this.days.length) {
      const day = this.days[this.next_++]!;
      const cols = this.store.readDay(this.symbol, this.interval, day);
      if (cols === undefined) {
        throw new CandleStoreError(`candle store ${this.store.path}: the record ${this.symbol} ${this.interval} ${isoTime(day).slice(0, 10)} vanished during the replay`);
      }
      let i = 0;
      while (i < cols.count && cols.data[i]! < this.from) i++;
      if (i < cols.count) {
        this.cols = cols;
        this.i = i;
        return true;
      }
    }
    this.cols = null;
    return false;
  }

  next(): IteratorResult<Candle> {
    if ((this.cols === null || this.i >= this.cols.count) && !this.load()) return DONE;
    const { count: n, data } = this.cols!;
    const i = this.i++;
    const t = data[i]!;
    if (t >= this.to) {
      this.next_ = this.days.length;
      this.cols = null;
      return DONE;
    }
    this.result.value = { timestamp: t, open: data[n + i]!, high: data[2 * n + i]!, low: data[3 * n + i]!, close: data[4 * n + i]!, volume: data[5 * n + i]! };
    return this.result;
  }

  drain(each: (item: Candle) => boolean): boolean {
    const to = this.to;
    for (;;) {
      if ((this.cols === null || this.i >= this.cols.count) && !this.load()) return true;
      const { count: n, data } = this.cols!;
      while (this.i < n) {
        const i = this.i++;
        const t = data[i]!;
        if (t >= to) {
          this.next_ = this.days.length;
          this.cols = null;
          return true;
        }
        if (!each({ timestamp: t, open: data[n + i]!, high: data[2 * n + i]!, low: data[3 * n + i]!, close: data[4 * n + i]!, volume: data[5 * n + i]! })) return false;
      }
    }
  }
}
