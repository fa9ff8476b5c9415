/**
 * A pull-based reader that may answer synchronously or with a Promise. Replays of in-memory data stay fully
 * synchronous (and fast); files, exchanges and async iterables await only when they must.
 */
export interface Pull<T> {
  /** The result object may be reused by the next call: read `value` before calling again. */
  next(): IteratorResult<T> | Promise<IteratorResult<T>>;
  /** Release resources (close a file) when the consumer stops early. */
  close?(): void | Promise<void>;
  /**
   * Optional, for inputs already in memory: hands the next items to `each` synchronously, in order, while `each`
   * returns true. Returns true once the input has ended; after a false from `each`, `next()` or `drain` continue with
   * the item after the last one handed over. Saves a result object and a Promise check per item. With `reuse`, the
   * consumer keeps no item once `each` returned, and the reader may hand over one object, refilled each time.
   */
  drain?(each: (item: T) => boolean, reuse?: boolean): boolean;
}

/** Readers answer with real Promises (async functions, async iterators); `instanceof` is the cheap check. */
export function isPromise<T>(x: T | Promise<T>): x is Promise<T> {
  return x instanceof Promise;
}

export type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

export function pullFrom<T>(input: AnyIterable<T>): Pull<T> {
  if (Array.isArray(input)) return pullArray(input as readonly T[]);
  if (Symbol.asyncIterator in input) {
    const it = (input as AsyncIterable<T>)[Symbol.asyncIterator]();
    return { next: () => it.next(), close: async () => void (await it.return?.()) };
  }
  const it = (input as Iterable<T>)[Symbol.iterator]();
  return { next: () => it.next(), close: () => void it.return?.() };
}

/** Arrays by index with one reused result: no iterator object per element on the replay hot path. */
function pullArray<T>(items: readonly T[]): Pull<T> {
  let i = 0;
  const result = { done: false as const, value: undefined as unknown as T };
  const DONE: IteratorResult<T> = { done: true, value: undefined };
  return {
    next() {
      if (i >= items.length) return DONE;
      result.value = items[i++]!;
      return result;
    },
  };
}
