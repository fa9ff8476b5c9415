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
  const n = sorted.length;
  if (n === 1) return single(sorted[0]!);
  const lengths = sorted.map((s) => intervalMs(s.interval));
  const heads: Array<SymbolCandle | null> = new Array(n).fill(null);
  const closes: number[] = new Array(n).fill(Infinity);
  let started = false;
  let refill = -1;
  // While draining for a consumer that keeps no candle: one tagged candle per symbol, refilled (see Pull.drain).
  let reuseTags = false;
  const tags: Array<{ symbol: string; interval: Interval; candle: Candle } | undefined> = new Array(n).fill(undefined);
  const result = { done: false as const, value: undefined as unknown as SymbolCandle };
  const DONE: IteratorResult<SymbolCandle> = { done: true, value: undefined };

  const setHead = (i: number, r: IteratorResult<Candle>) => {
    if (r.done) {
      heads[i] = null;
      closes[i] = Infinity;
    } else {
      let tag = reuseTags ? tags[i] : undefined;
      if (tag === undefined) {
        tag = { symbol: sorted[i]!.symbol, interval: sorted[i]!.interval, candle: r.value };
        // Only a tag made while reusing is refilled later: one handed to a subscriber is never touched again.
        if (reuseTags) tags[i] = tag;
      } else {
        tag.candle = r.value;
      }
      heads[i] = tag;
      closes[i] = r.value.timestamp + lengths[i]!;
    }
  };

  // A binary min-heap of the inputs with a head, by (close time, index): the index is the rank of the symbol's name,
  // so ties go by symbol. log2(n) comparisons per candle instead of a scan of every input.
  const heap = new Int32Array(n);
  let size = 0;
  const before = (a: number, b: number): boolean => closes[a]! < closes[b]! || (closes[a] === closes[b] && a < b);
  const siftDown = (at: number): void => {
    const item = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, item)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = item;
  };
  const build = (): void => {
    for (let i = 0; i < n; i++) if (heads[i] !== null) heap[size++] = i;
    for (let at = (size >> 1) - 1; at >= 0; at--) siftDown(at);
  };
  /** The top input's head was replaced (a later candle, or none): restore the heap. */
  const settleTop = (): void => {
    if (closes[heap[0]!] === Infinity) heap[0] = heap[--size]!;
    if (size > 0) siftDown(0);
  };

  const pick = (): IteratorResult<SymbolCandle> => {
    if (size === 0) return DONE;
    const best = heap[0]!;
    refill = best;
    result.value = heads[best]!;
    return result;
  };

  // Fill heads[from..] (and the pending refill) synchronously while every reader answers synchronously.
  const fill = (indices: number[], k: number): void | Promise<void> => {
    for (; k < indices.length; k++) {
      const i = indices[k]!;
      const r = sorted[i]!.candles.next();
      if (isPromise(r)) {
        const at = k;
        return r.then((v) => {
          setHead(i, v);
          return fill(indices, at + 1);
        });
      }
      setHead(i, r);
    }
  };
  const refilled = (i: number, v: IteratorResult<Candle>): void => {
    setHead(i, v);
    settleTop();
  };

  const merged: Pull<SymbolCandle> = {
    next() {
      let pending: void | Promise<void> = undefined;
      if (!started) {
        started = true;
        pending = fill([...Array(n).keys()], 0);
        if (pending) pending = pending.then(build);
        else build();
      } else if (refill >= 0) {
        const i = refill;
        refill = -1;
        const r = sorted[i]!.candles.next();
        if (isPromise(r)) pending = r.then((v) => refilled(i, v));
        else refilled(i, r);
      }
      return pending ? pending.then(pick) : pick();
    },
    async close() {
      await Promise.all(sorted.map((s) => s.candles.close?.()));
    },
  };
  // In-memory inputs answer synchronously: the merged candles can be handed over in one loop as well.
  if (sorted.every((s) => s.candles.drain !== undefined)) {
    merged.drain = (each, reuse = false) => {
      reuseTags = reuse;
      try {
        for (;;) {
          const r = merged.next();
          if (isPromise(r)) throw new Error('mergeByTime: an in-memory input answered asynchronously');
          if (r.done) return true;
          if (!each(r.value)) return false;
        }
      } finally {
        reuseTags = false;
      }
    };
  }
  return merged;
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
