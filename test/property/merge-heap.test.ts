import { describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { INTERVAL_MS, type Interval } from '../../src/core/intervals.js';
import { mergeByTime, type SymbolPull } from '../../src/sources/merge.js';
import { Sfc32 } from '../../src/sources/prng.js';
import type { Pull } from '../../src/sources/pull.js';

// The heap merge against the linear scan it replaces: at every step, of the inputs with a candle left, the one whose
// head closes first, ties by symbol name. Random symbols (given in random order), intervals, gaps, lengths (some
// empty) and readers that answer now or with a Promise.

const INTERVALS: Interval[] = ['1m', '3m', '5m', '1h'];

interface Input {
  readonly symbol: string;
  readonly interval: Interval;
  readonly candles: Candle[];
  readonly async: number; // chance a read answers with a Promise
}

function randomInputs(rng: Sfc32): Input[] {
  const n = 1 + Math.floor(rng.uniform() * 14);
  const names = new Set<string>();
  while (names.size < n) names.add(`${String.fromCharCode(65 + Math.floor(rng.uniform() * 6))}${Math.floor(rng.uniform() * 30)}/USD`);
  return [...names].map((symbol) => {
    const interval = INTERVALS[Math.floor(rng.uniform() * INTERVALS.length)]!;
    const step = INTERVAL_MS[interval];
    const length = rng.uniform() < 0.1 ? 0 : Math.floor(rng.uniform() * 60);
    let t = Math.floor(rng.uniform() * 20) * step;
    const candles: Candle[] = [];
    for (let i = 0; i < length; i++) {
      candles.push({ timestamp: t, open: 1, high: 1, low: 1, close: 1, volume: i });
      t += step * (rng.uniform() < 0.2 ? 1 + Math.floor(rng.uniform() * 5) : 1);
    }
    return { symbol, interval, candles, async: rng.uniform() < 0.3 ? rng.uniform() : 0 };
  });
}

function pullOf(input: Input, rng: Sfc32): Pull<Candle> {
  let i = 0;
  const read = (): IteratorResult<Candle> => (i < input.candles.length ? { done: false, value: input.candles[i++]! } : { done: true, value: undefined });
  return { next: () => (rng.uniform() < input.async ? Promise.resolve().then(read) : read()) };
}

/** The linear merge: scan every input's head, earliest close first, ties by symbol. */
function linearMerge(inputs: readonly Input[]): string[] {
  const sorted = [...inputs].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const at = sorted.map(() => 0);
  const out: string[] = [];
  for (;;) {
    let best = -1;
    let bestClose = Infinity;
    sorted.forEach((s, k) => {
      const c = s.candles[at[k]!];
      if (c !== undefined && c.timestamp + INTERVAL_MS[s.interval] < bestClose) {
        bestClose = c.timestamp + INTERVAL_MS[s.interval];
        best = k;
      }
    });
    if (best < 0) return out;
    out.push(`${sorted[best]!.symbol}@${sorted[best]!.candles[at[best]!]!.timestamp}#${at[best]!}`);
    at[best]!++;
  }
}

async function heapMerge(inputs: readonly Input[], rng: Sfc32): Promise<string[]> {
  const pulls: SymbolPull[] = inputs.map((s) => ({ symbol: s.symbol, interval: s.interval, candles: pullOf(s, rng) }));
  const merged = mergeByTime(pulls);
  const out: string[] = [];
  for (;;) {
    const r = await merged.next();
    if (r.done) return out;
    const { symbol, candle }: SymbolCandle = r.value;
    out.push(`${symbol}@${candle.timestamp}#${candle.volume}`);
  }
}

describe('mergeByTime (heap) equals the linear merge', () => {
  it('on 300 random sets of inputs, sync and async readers mixed', async () => {
    const rng = new Sfc32(12, 34, 56, 78);
    let candles = 0;
    for (let run = 0; run < 300; run++) {
      const inputs = randomInputs(rng);
      const expected = linearMerge(inputs);
      candles += expected.length;
      expect(await heapMerge(inputs, rng)).toEqual(expected);
    }
    expect(candles).toBeGreaterThan(20_000);
  });

  it('breaks ties by symbol whatever order the symbols are given in, and refuses a symbol given twice', async () => {
    const same = (symbol: string): Input => ({ symbol, interval: '1m', candles: [0, 1, 2].map((m) => ({ timestamp: m * 60_000, open: 1, high: 1, low: 1, close: 1, volume: m })), async: 0 });
    const rng = new Sfc32(1, 1, 1, 1);
    const order = await heapMerge([same('C'), same('A'), same('B')], rng);
    expect(order).toEqual(['A@0#0', 'B@0#0', 'C@0#0', 'A@60000#1', 'B@60000#1', 'C@60000#1', 'A@120000#2', 'B@120000#2', 'C@120000#2']);
    expect(() => mergeByTime([same('A'), same('A')].map((s) => ({ symbol: s.symbol, interval: s.interval, candles: pullOf(s, rng) })))).toThrow(/symbol A is given twice/);
  });
});
