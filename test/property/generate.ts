/**
 * Seeded random inputs for the property suites: candles with gaps on several symbols, and strategies whose signals
 * carry what they saw of history. A small generator instead of a property-testing library: every case is a pure
 * function of its seed (sfc32, the same generator as the synthetic sources), so a failing seed replays exactly, and
 * the suites run enough seeds that each shape (gaps, async answers, small rings, several symbols) is drawn many times
 * (a coverage test counts them). What a library would add is shrinking; the cases are small already (at most three
 * symbols of a few hundred candles) and the first differing event names the symbol, the instant and what the
 * strategy saw (its note), which is what a shrunk case would show.
 */
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import type { StrategyInterval } from '../../src/core/intervals.js';
import type { SignalResult, Strategy, StrategyContext } from '../../src/core/strategy.js';
import { Sfc32 } from '../../src/sources/prng.js';

const MIN = 60_000;
export const T0 = Date.UTC(2024, 2, 1);

export interface Case {
  readonly seed: number;
  readonly candles: Readonly<Record<string, Candle[]>>;
  /** Every candle of every symbol in time order, ties by symbol: what a merge of the symbols gives. */
  readonly merged: readonly SymbolCandle[];
  readonly historyCandles: number;
  readonly avgPriceCandles: number;
}

function int(rng: Sfc32, lo: number, hi: number): number {
  return lo + Math.floor(rng.uniform() * (hi - lo + 1));
}

/** A random walk of 1m candles from T0 with occasional gaps (some longer than a 5m bucket or a signal's life). */
function walk(rng: Sfc32, count: number): Candle[] {
  const out: Candle[] = [];
  let t = T0 + int(rng, 0, 7) * MIN;
  let prev = 100 * (0.5 + rng.uniform());
  for (let i = 0; i < count; i++) {
    const r = rng.uniform();
    if (r < 0.04) t += int(rng, 1, 90) * MIN;
    const close = prev * (1 + 0.004 * rng.normal());
    const open = prev;
    out.push({
      timestamp: t,
      open,
      high: Math.max(open, close) * (1 + 0.002 * rng.uniform()),
      low: Math.min(open, close) * (1 - 0.002 * rng.uniform()),
      close,
      // Some candles trade nothing: the average price falls back to closes.
      volume: rng.uniform() < 0.1 ? 0 : rng.uniform() * 10,
    });
    prev = close;
    t += MIN;
  }
  return out;
}

export function generateCase(seed: number): Case {
  const rng = Sfc32.from('routes', String(seed));
  const symbols = ['AAA/X', 'BBB/X', 'CCC/X'].slice(0, int(rng, 1, 3));
  const candles: Record<string, Candle[]> = {};
  for (const s of symbols) candles[s] = walk(rng, int(rng, 60, 260));
  const merged = symbols
    .flatMap((symbol) => candles[symbol]!.map((candle) => ({ symbol, interval: '1m' as const, candle })))
    .sort((a, b) => a.candle.timestamp - b.candle.timestamp || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  // Mostly rings smaller than what the strategy asks for (where a ring that moves on early truncates what it sees).
  const historyCandles = rng.uniform() < 0.75 ? int(rng, 1, 12) : 10_080;
  return { seed, candles, merged, historyCandles, avgPriceCandles: int(rng, 1, 6) };
}

/**
 * Decides from what it reads of history, and writes what it read into the signal's note: two runs whose strategies
 * saw different candles give different events.
 */
function decide(ctx: StrategyContext, seen: string): SignalResult {
  const base = ctx.candles('1m', 8);
  const fives = ctx.candles('5m', 3);
  if (base.length < 2) return null;
  const first = base[0]!;
  const last = base[base.length - 1]!;
  const p = ctx.price;
  const note = `${seen}|${base.length}:${first.timestamp}:${last.timestamp}|${fives.length}:${fives[0]?.timestamp ?? '-'}`;
  const up = last.close > first.close;
  // A limit entry now and then: scheduled signals, activations and cancellations too.
  if (fives.length >= 2 && (base.length + fives.length) % 4 === 0) {
    return { position: 'long', priceOpen: p * 0.997, priceTakeProfit: p * 1.012, priceStopLoss: p * 0.99, minuteEstimatedTime: 25, note };
  }
  return up
    ? { position: 'long', priceTakeProfit: p * 1.008, priceStopLoss: p * 0.993, minuteEstimatedTime: 20, note }
    : { position: 'short', priceTakeProfit: p * 0.992, priceStopLoss: p * 1.007, minuteEstimatedTime: 20, note };
}

/** The synchronous strategy. */
export function syncStrategy(name: string, interval: StrategyInterval): Strategy {
  return { name, interval, getSignal: (ctx) => decide(ctx, `${ctx.candles('1m', 1).length}`) };
}

/** Answers on a later microtask or macrotask (`setImmediate`), and reads history both before and after waiting. */
export function asyncStrategy(name: string, interval: StrategyInterval, seed: number): Strategy {
  return {
    name,
    interval,
    getSignal: async (ctx) => {
      const before = ctx.candles('1m', 1).length;
      const h = (ctx.now / MIN + seed) % 5;
      if (h === 0) await new Promise((resolve) => setImmediate(resolve));
      else for (let i = 0; i < h; i++) await Promise.resolve();
      return decide(ctx, `${before}`);
    },
  };
}

/** The events of `name` as they would read had the strategy been called `as`. */
export function renamed<T extends { strategy: string; eventId: string }>(events: readonly T[], name: string, as: string): T[] {
  return events
    .filter((e) => e.strategy === name)
    .map((e) => JSON.parse(JSON.stringify(e).split(name).join(as)) as T);
}
