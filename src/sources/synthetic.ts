import { z } from 'zod';
import type { Candle } from '../core/candle.js';
import { intervalMs, IntervalSchema, MINUTE_MS } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import { parseTime } from './candle-fields.js';
import { CandleSource } from './candle-source.js';
import { mergeByTime } from './merge.js';
import { parseOptions } from '../core/options.js';
import { Sfc32 } from './prng.js';
import type { Pull } from './pull.js';
import { SyntheticWalk } from './synthetic-walk.js';

const TimeSchema = z
  .union([z.number(), z.string(), z.date()])
  .transform((v, ctx) => {
    const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? parseTime(v) : v;
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: `expected epoch ms or an ISO-8601 time, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

const GapsSchema = z.union([
  z.number().min(0).max(1).transform((probability) => ({ probability, minutes: 30 })),
  z.strictObject({ probability: z.number().min(0).max(1), minutes: z.number().int().positive().default(30) }),
]);

const price = z.number().finite().positive();

export const SyntheticOptionsSchema = z
  .strictObject({
    /** Symbol names, or how many to make (`3` → SYN0/USD, SYN1/USD, SYN2/USD). */
    symbols: z.union([z.array(z.string().min(1)).min(1).readonly(), z.number().int().positive()]),
    /** Open time of the first candle: epoch ms, ISO-8601 or a Date; must lie on the interval grid. */
    start: TimeSchema,
    /** Candles per symbol (gaps do not count). Give this or `until`. */
    count: z.number().int().nonnegative().optional(),
    /** Candles open before this time (exclusive). Give this or `count`. */
    until: TimeSchema.optional(),
    interval: IntervalSchema.default('1m'),
    seed: z.number().int().default(1),
    /**
     * Chance per candle that a run of `minutes` (default 30) without candles starts there: a number is the
     * probability. The price moves on during a gap; no candle is made up for it.
     */
    gaps: GapsSchema.optional(),
    /** Start price: one for all, or per symbol (default 100). */
    startPrice: z.union([price, z.record(z.string(), price)]).default(100),
  })
  .superRefine((o, ctx) => {
    if ((o.count === undefined) === (o.until === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of count or until' });
    }
    const step = intervalMs(o.interval);
    if (o.start % step !== 0) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: `${isoTime(o.start)} is not on the ${o.interval} grid` });
    }
  });

export type SyntheticOptions = z.input<typeof SyntheticOptionsSchema>;

/**
 * The symbol names `syntheticCandles({ symbols: n })` makes.
 *
 * @example
 * ```ts
 * syntheticSymbols(2); // ['SYN0/USD', 'SYN1/USD']
 * ```
 */
export function syntheticSymbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `SYN${i}/USD`);
}

interface Plan {
  readonly start: number;
  readonly step: number;
  readonly count: number;
  readonly until: number;
  readonly gapChance: number;
  readonly gapSlots: number;
}

const DONE: IteratorResult<Candle> = { done: true, value: undefined };

/**
 * One symbol's candles, generated on demand. Every slot of the grid steps the walk; a gap slot emits nothing, so
 * the candles around a gap are exactly those of the same series without gaps.
 */
function symbolPull(walk: SyntheticWalk, gaps: Sfc32 | null, plan: Plan): Pull<Candle> {
  const { step, count, until, gapChance, gapSlots } = plan;
  let t = plan.start - step;
  let emitted = 0;
  let skip = 0;
  const result = { done: false as const, value: undefined as unknown as Candle };
  return {
    next() {
      for (;;) {
        if (emitted >= count) return DONE;
        t += step;
        if (t >= until) return DONE;
        walk.step();
        if (gaps !== null) {
          if (skip > 0) {
            skip--;
            continue;
          }
          if (gaps.uniform() < gapChance) {
            skip = gapSlots - 1;
            continue;
          }
        }
        emitted++;
        result.value = { timestamp: t, open: walk.open, high: walk.high, low: walk.low, close: walk.close, volume: walk.volume };
        return result;
      }
    },
  };
}

/**
 * Realistic random candles, reproducible from a seed: a geometric random walk with volatility regimes (calm,
 * normal, volatile; a Markov chain), a slight trend per regime episode, a mean-reverting log price (positive and
 * bounded over years), wicks consistent with the body, volume that rises with the move and the regime, and
 * optional gaps. Each symbol's series depends only on (seed, symbol, interval, start price). Generated lazily and
 * synchronously: a year of 1-minute candles is never held in memory.
 *
 * @example
 * ```ts
 * syntheticCandles({ symbols: ['BTC/USDT', 'ETH/USDT'], start: '2024-01-01', count: 525_600, seed: 7, gaps: 0.0005 });
 * syntheticCandles({ symbols: 3, start: Date.UTC(2024, 0, 1), until: Date.UTC(2024, 1, 1), interval: '5m' });
 * ```
 */
export function syntheticCandles(options: SyntheticOptions): CandleSource {
  const o = parseOptions(SyntheticOptionsSchema, options, 'syntheticCandles options');
  const symbols = typeof o.symbols === 'number' ? syntheticSymbols(o.symbols) : o.symbols;
  const step = intervalMs(o.interval);
  const plan: Plan = {
    start: o.start,
    step,
    count: o.count ?? Infinity,
    until: o.until ?? Infinity,
    gapChance: o.gaps?.probability ?? 0,
    gapSlots: Math.max(1, Math.round((o.gaps?.minutes ?? 0) / (step / MINUTE_MS))),
  };
  const startPrice = (symbol: string) => (typeof o.startPrice === 'number' ? o.startPrice : (o.startPrice[symbol] ?? 100));
  return new CandleSource(() =>
    mergeByTime(
      symbols.map((symbol) => ({
        symbol,
        interval: o.interval,
        candles: symbolPull(
          new SyntheticWalk({ seed: o.seed, symbol, intervalMinutes: step / MINUTE_MS, startPrice: startPrice(symbol) }),
          plan.gapChance > 0 ? Sfc32.from(String(o.seed), symbol, 'gaps') : null,
          plan,
        ),
      })),
    ),
  );
}
