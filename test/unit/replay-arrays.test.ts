import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { replayCandles } from '../../src/sources/replay.js';
import type { CandleInput } from '../../src/sources/normalize.js';

// Arrays are replayed by index (and handed over in one synchronous drain); any other iterable goes through the
// generic reader. Both must check candles the same way.

const M = 60_000;
const T = Date.UTC(2024, 0, 1);
const c = (i: number, over: Partial<Candle> = {}): Candle => ({ timestamp: T + i * M, open: 10, high: 11, low: 9, close: 10.5, volume: 1, ...over });

function* iterate<T>(items: readonly T[]): Generator<T> {
  yield* items;
}

async function outcome(input: Iterable<CandleInput>, onDuplicate?: (symbol: string, candle: Candle) => void) {
  try {
    return { candles: await lastValueFrom(replayCandles({ 'X/Y': input }, { onDuplicate }).pipe(toArray())) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The same input as an array and as a plain iterable. */
async function both(items: CandleInput[]) {
  const dropped: Array<[string, number]> = [];
  const fromArray = await outcome(items, (s, k) => dropped.push([s, k.timestamp]));
  const fromIterable = await outcome(iterate(items), (s, k) => dropped.push([s, k.timestamp]));
  return { fromArray, fromIterable, dropped };
}

describe('replayCandles over arrays: the same checks as any other input', () => {
  it('objects and exchange rows', async () => {
    const { fromArray, fromIterable } = await both([c(0), [T + M, 10, 11, 9, 10.5, 2], c(2)]);
    expect(fromArray).toEqual(fromIterable);
    expect((fromArray.candles as SymbolCandle[]).map((x) => x.candle.volume)).toEqual([1, 2, 1]);
  });

  it('a duplicate timestamp is dropped (first wins) and reported', async () => {
    const { fromArray, fromIterable, dropped } = await both([c(0), c(1), c(1, { close: 10.9 }), c(2)]);
    expect(fromArray).toEqual(fromIterable);
    expect((fromArray.candles as SymbolCandle[]).map((x) => x.candle.close)).toEqual([10.5, 10.5, 10.5]);
    expect(dropped).toEqual([
      ['X/Y', T + M],
      ['X/Y', T + M],
    ]);
  });

  it('an invalid candle fails the stream naming the index, time and field', async () => {
    const { fromArray, fromIterable } = await both([c(0), c(1), c(2, { high: 8 })]);
    expect(fromArray).toEqual(fromIterable);
    expect(fromArray.error).toMatch(/X\/Y index 2: invalid candle for X\/Y at 2024-01-01T00:02:00.000Z .*field 'high'/);
  });

  it('an out-of-order candle fails the stream', async () => {
    const { fromArray, fromIterable } = await both([c(0), c(2), c(1)]);
    expect(fromArray).toEqual(fromIterable);
    expect(fromArray.error).toMatch(/X\/Y index 2: out-of-order candle for X\/Y/);
  });

  it('drive() hands over the same candles as a subscription', async () => {
    const items = [c(0), c(1), c(1), c(2), c(3)];
    const subscribed = (await lastValueFrom(replayCandles({ 'X/Y': items }).pipe(toArray()))).map((x) => ({ ...x }));
    const driven: SymbolCandle[] = [];
    await new Promise<void>((resolve, reject) =>
      replayCandles({ 'X/Y': items }).drive({
        // The tagged object may be refilled for the next candle: copy it.
        next: (x) => driven.push({ ...x }),
        error: reject,
        complete: resolve,
        closed: false,
      }),
    );
    expect(driven).toEqual(subscribed);
    expect(driven).toHaveLength(4);
  });

  it('several symbols: drive() merges them in the same order as a subscription', async () => {
    const data = { 'B/Y': [c(0), c(2), c(3)], 'A/Y': [c(1), c(2), c(2), c(5)], 'C/Y': [c(4)] };
    const subscribed = await lastValueFrom(replayCandles(data).pipe(toArray()));
    const driven: SymbolCandle[] = [];
    await new Promise<void>((resolve, reject) =>
      replayCandles(data).drive({ next: (x) => driven.push({ ...x }), error: reject, complete: resolve, closed: false }),
    );
    expect(driven).toEqual(subscribed);
    expect(driven.map((x) => `${x.symbol}@${(x.candle.timestamp - T) / M}`)).toEqual(['B/Y@0', 'A/Y@1', 'A/Y@2', 'B/Y@2', 'B/Y@3', 'C/Y@4', 'A/Y@5']);
    // A subscriber gets its own objects: none is refilled behind its back.
    expect(new Set(subscribed).size).toBe(subscribed.length);
  });
});
