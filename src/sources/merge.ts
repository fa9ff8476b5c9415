import type { Candle, SymbolCandle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { isPromise, type Pull } from './pull.js';

export interface SymbolPull {
  readonly symbol: string;
  readonly interval: Interval;
  readonly candles: Pull<Candle>;
}

/**
 * k-way merge of per-symbol candle streams in true time order: by close time, ties by symbol name (SEMANTICS §5),
 * so a portfolio run never depends on the order symbols were given in.
 */
export function mergeByTime(inputs: readonly SymbolPull[]): Pull<SymbolCandle> {
  const sorted = [...inputs].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.symbol === sorted[i - 1]!.symbol) throw new Error(`symbol ${sorted[i]!.symbol} is given twice`);
  }
  if (sorted.length === 1) return single(sorted[0]!);
  // In-memory inputs answer synchronously: the merged candles can be handed over in one loop as well.
  return sorted.every((s) => s.candles.drain !== undefined) ? new DrainableHeapMerge(sorted) : new HeapMerge(sorted);
}

type Tag = { symbol: string; interval: Interval; candle: Candle };

/**
 * The inputs with a candle left, in a binary min-heap by (close time, rank): the rank is the symbol's place in
 * name order, so ties go by symbol. log2(n) comparisons per candle instead of a scan of every input; a class over
 * typed arrays, so the per-candle path is monomorphic and allocates only the tagged candle.
 */
class HeapMerge implements Pull<SymbolCandle> {
  private readonly n: number;
  private readonly closes: Float64Array;
  private readonly lengths: Float64Array;
  private readonly heap: Int32Array;
  private size = 0;
  private readonly heads: Array<SymbolCandle | null>;
  private started = false;
  private refill = -1;
  // While draining for a consumer that keeps no candle: one tagged candle per symbol, refilled (see Pull.drain).
  protected reuseTags = false;
  private readonly tags: Array<Tag | undefined>;
  private readonly result = { done: false as const, value: undefined as unknown as SymbolCandle };

  constructor(private readonly sorted: readonly SymbolPull[]) {
    const n = sorted.length;
    this.n = n;
    this.closes = new Float64Array(n).fill(Infinity);
    this.lengths = Float64Array.from(sorted, (s) => intervalMs(s.interval));
    this.heap = new Int32Array(n);
    this.heads = new Array<SymbolCandle | null>(n).fill(null);
    this.tags = new Array<Tag | undefined>(n).fill(undefined);
  }

  next(): IteratorResult<SymbolCandle> | Promise<IteratorResult<SymbolCandle>> {
    if (!this.started) {
      this.started = true;
      const pending = this.fill(0);
      return pending ? pending.then(() => this.build()) : this.build();
    }
    const i = this.refill;
    if (i >= 0) {
      this.refill = -1;
      const r = this.sorted[i]!.candles.next();
      if (isPromise(r)) return r.then((v) => this.refilled(i, v));
      return this.refilled(i, r);
    }
    return this.pick();
  }

  async close(): Promise<void> {
    await Promise.all(this.sorted.map((s) => s.candles.close?.()));
  }

  private setHead(i: number, r: IteratorResult<Candle>): void {
    if (r.done) {
      this.heads[i] = null;
      this.closes[i] = Infinity;
      return;
    }
    let tag = this.reuseTags ? this.tags[i] : undefined;
    if (tag === undefined) {
      tag = { symbol: this.sorted[i]!.symbol, interval: this.sorted[i]!.interval, candle: r.value };
      // Only a tag made while reusing is refilled later: one handed to a subscriber is never touched again.
      if (this.reuseTags) this.tags[i] = tag;
    } else {
      tag.candle = r.value;
    }
    this.heads[i] = tag;
    this.closes[i] = r.value.timestamp + this.lengths[i]!;
  }

  /** Fill every head from input `k` on, synchronously while the readers answer synchronously. */
  private fill(k: number): void | Promise<void> {
    for (; k < this.n; k++) {
      const i = k;
      const r = this.sorted[i]!.candles.next();
      if (isPromise(r)) {
        return r.then((v) => {
          this.setHead(i, v);
          return this.fill(i + 1);
        });
      }
      this.setHead(i, r);
    }
  }

  private build(): IteratorResult<SymbolCandle> {
    for (let i = 0; i < this.n; i++) if (this.heads[i] !== null) this.heap[this.size++] = i;
    for (let at = (this.size >> 1) - 1; at >= 0; at--) this.siftDown(at);
    return this.pick();
  }

  /** The top input's head was replaced (by a later candle, or by none): restore the heap, pick the next. */
  private refilled(i: number, r: IteratorResult<Candle>): IteratorResult<SymbolCandle> {
    this.setHead(i, r);
    if (r.done) this.heap[0] = this.heap[--this.size]!;
    if (this.size > 1) this.siftDown(0);
    return this.pick();
  }

  private pick(): IteratorResult<SymbolCandle> {
    if (this.size === 0) return DONE;
    const best = this.heap[0]!;
    this.refill = best;
    this.result.value = this.heads[best]!;
    return this.result;
  }

  private siftDown(at: number): void {
    const { heap, closes, size } = this;
    const item = heap[at]!;
    const close = closes[item]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      let c = heap[child]!;
      let cc = closes[c]!;
      if (child + 1 < size) {
        const d = heap[child + 1]!;
        const dc = closes[d]!;
        if (dc < cc || (dc === cc && d < c)) {
          child++;
          c = d;
          cc = dc;
        }
      }
      if (!(cc < close || (cc === close && c < item))) break;
      heap[at] = c;
      at = child;
    }
    heap[at] = item;
  }
}

/** {@link HeapMerge} of in-memory inputs, which can hand its candles over in one loop. */
class DrainableHeapMerge extends HeapMerge {
  drain(each: (candle: SymbolCandle) => boolean, reuse = false): boolean {
    this.reuseTags = reuse;
    try {
      for (;;) {
        const r = this.next();
        if (isPromise(r)) throw new Error('mergeByTime: an in-memory input answered asynchronously');
        if (r.done) return true;
        if (!each(r.value)) return false;
      }
    } finally {
      this.reuseTags = false;
    }
  }
}

/** One symbol needs no merging: tag each candle with its symbol, nothing else on the hot path. */
function single(input: SymbolPull): Pull<SymbolCandle> {
  return input.candles.drain === undefined ? new TaggedCandles(input) : new DrainableTaggedCandles(input);
}

class TaggedCandles implements Pull<SymbolCandle> {
  private readonly result = { done: false as const, value: undefined as unknown as SymbolCandle };
  protected readonly symbol: string;
  protected readonly interval: Interval;
  protected readonly candles: Pull<Candle>;

  constructor(input: SymbolPull) {
    this.symbol = input.symbol;
    this.interval = input.interval;
    this.candles = input.candles;
  }

  next(): IteratorResult<SymbolCandle> | Promise<IteratorResult<SymbolCandle>> {
    const r = this.candles.next();
    return isPromise(r) ? r.then((v) => this.tag(v)) : this.tag(r);
  }

  close(): void | Promise<void> {
    return this.candles.close?.();
  }

  private tag(r: IteratorResult<Candle>): IteratorResult<SymbolCandle> {
    if (r.done) return DONE;
    this.result.value = { symbol: this.symbol, interval: this.interval, candle: r.value };
    return this.result;
  }
}

/** {@link TaggedCandles} over an in-memory input, passing its `drain` on. */
class DrainableTaggedCandles extends TaggedCandles {
  drain(each: (candle: SymbolCandle) => boolean, reuse = false): boolean {
    const { symbol, interval } = this;
    if (!reuse) return this.candles.drain!((candle) => each({ symbol, interval, candle }));
    const tagged: { symbol: string; interval: Interval; candle: Candle } = { symbol, interval, candle: undefined as unknown as Candle };
    return this.candles.drain!((candle) => {
      tagged.candle = candle;
      return each(tagged);
    });
  }
}

const DONE: IteratorResult<SymbolCandle> = { done: true, value: undefined };
