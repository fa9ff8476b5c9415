import { z } from 'zod';
import { PositionSchema } from '../core/signal.js';
import type { SignalEvent } from '../core/events.js';
import { Sfc32 } from '../sources/prng.js';
import { percentileOfSorted } from './percentile.js';

/** One of the strategy's closed trades: what the random twin copies (direction, holding time) and its pnl. */
export const TradeShapeSchema = z.object({
  position: PositionSchema,
  durationMinutes: z.number().finite().nonnegative(),
  pnlPercentage: z.number().finite(),
});
export type TradeShape = z.infer<typeof TradeShapeSchema>;

export const RandomEntryOptionsSchema = z.object({
  /** Minutes between consecutive closes (1 for 1m candles); a trade holds round(duration / interval) steps. */
  intervalMinutes: z.number().positive().default(1),
  /** The costs of the run (SEMANTICS §7), applied as computePnl applies them to every random trade as to the strategy's. */
  feePercent: z.number().nonnegative(),
  slippagePercent: z.number().nonnegative(),
  runs: z.number().int().positive().default(1000),
  seed: z.string().default('0'),
});
export type RandomEntryOptions = z.input<typeof RandomEntryOptionsSchema>;

export const RandomEntryResultSchema = z.object({
  /** (1 + runs with total pnl ≥ the strategy's) / (1 + runs); null (with `reason`) when undefined. */
  pValue: z.number().nullable(),
  reason: z.string().nullable(),
  trades: z.number().int().nonnegative(),
  candles: z.number().int().nonnegative(),
  runs: z.number().int().positive(),
  seed: z.string(),
  strategyTotalPnl: z.number(),
  /** Percentiles 5, 50, 95 (type 7) of the random runs' total pnl (%). */
  randomTotalPnl: z.object({ p5: z.number(), p50: z.number(), p95: z.number() }).nullable(),
});
export type RandomEntryResult = z.infer<typeof RandomEntryResultSchema>;

/** The trade shapes of a run's closed events, in event order. */
export function tradeShapes(events: Iterable<SignalEvent>): TradeShape[] {
  const out: TradeShape[] = [];
  for (const e of events) {
    if (e.action === 'closed') out.push({ position: e.signal.position, durationMinutes: e.durationMinutes, pnlPercentage: e.pnl.pnlPercentage });
  }
  return out;
}

/**
 * Random-entry significance (RESEARCH §5): each run makes the same number of trades as the strategy, each with the
 * direction and holding time of one of its trades, entered at a uniformly random candle close of the tested span
 * (seeded) and closed that many candles later at the close then, with the same costs. A p-value near 1/(1 + runs)
 * means random entries with the strategy's exits and sides rarely match it; near 1, they usually do.
 *
 * @example
 * ```ts
 * const closes = candles.map((c) => c.close);
 * const r = randomEntrySignificance(closes, tradeShapes(events), { feePercent: 0.1, slippagePercent: 0.1, seed: '7' });
 * r.pValue; // with r.runs, r.seed, r.trades, r.candles
 * ```
 */
export function randomEntrySignificance(
  closes: ArrayLike<number>,
  trades: readonly TradeShape[],
  options: RandomEntryOptions,
): RandomEntryResult {
  const { intervalMinutes, feePercent, slippagePercent, runs, seed } = RandomEntryOptionsSchema.parse(options);
  const shapes = z.array(TradeShapeSchema).parse(trades);
  const L = closes.length;
  for (let i = 0; i < L; i++) {
    if (!(closes[i]! > 0 && Number.isFinite(closes[i]!))) throw new Error(`randomEntrySignificance: close ${i} is ${closes[i]}, expected a positive finite price`);
  }
  const strategyTotalPnl = shapes.reduce((s, t) => s + t.pnlPercentage, 0);
  const base = { trades: shapes.length, candles: L, runs, seed, strategyTotalPnl };
  if (shapes.length === 0) return { pValue: null, reason: 'the strategy closed no trades', randomTotalPnl: null, ...base };
  const steps = shapes.map((t) => Math.round(t.durationMinutes / intervalMinutes));
  const longest = Math.max(...steps);
  if (longest > L - 1) {
    return { pValue: null, reason: `a trade holds ${longest} candles, the span has only ${L} closes`, randomTotalPnl: null, ...base };
  }
  // computePnl's terms, taken apart so the loop allocates nothing and reads typed arrays: every close with the
  // slippage against the buyer (up) and against the seller (down), the same products computePnl forms, so each
  // trade's pnl has the same bits as computePnl's.
  const s = slippagePercent / 100;
  const fees = 2 * feePercent;
  const up = new Float64Array(L);
  const down = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    up[i] = closes[i]! * (1 + s);
    down[i] = closes[i]! * (1 - s);
  }
  const n = shapes.length;
  const holds = Int32Array.from(steps);
  const long = Uint8Array.from(shapes, (t) => (t.position === 'long' ? 1 : 0));
  const rng = Sfc32.from(seed, 'random-entry');
  const totals = new Float64Array(runs);
  let atLeast = 0;
  for (let r = 0; r < runs; r++) {
    let total = 0;
    for (let k = 0; k < n; k++) {
      const hold = holds[k]!;
      const entry = Math.floor(rng.uniform() * (L - hold));
      if (long[k] === 1) {
        const o = up[entry]!;
        total += ((down[entry + hold]! - o) / o) * 100 - fees;
      } else {
        const o = down[entry]!;
        total += ((o - up[entry + hold]!) / o) * 100 - fees;
      }
    }
    totals[r] = total;
    if (total >= strategyTotalPnl) atLeast++;
  }
  totals.sort();
  return {
    pValue: (1 + atLeast) / (1 + runs),
    reason: null,
    randomTotalPnl: { p5: percentileOfSorted(totals, 5), p50: percentileOfSorted(totals, 50), p95: percentileOfSorted(totals, 95) },
    ...base,
  };
}
