/**
 * A pull-based reader that may answer synchronously or with a Promise. Replays of in-memory data stay fully
 * synchronous (and fast); files, exchanges and async iterables await only when they must.
 */
export interface Pull<T> {
  next(): IteratorResult<T> | Promise<IteratorResult<T>>;
  /** Release resources (close a file) when the consumer stops early. */
  close?(): void | Promise<void>;
}

export function isPromise<T>(x: T | Promise<T>): x is Promise<T> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

export type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

export function pullFrom<T>(input: AnyIterable<T>): Pull<T> {
  if (Symbol.asyncIterator in input) {
    const it = (input as AsyncIterable<T>)[Symbol.asyncIterator]();
    return { next: () => it.next(), close: async () => void (await it.return?.()) };
  }
  const it = (input as Iterable<T>)[Symbol.iterator]();
  return { next: () => it.next(), close: () => void it.return?.() };
}
