import { z } from 'zod';
import type { SignalEvent } from '../core/events.js';

export const DAY_MS = 86_400_000;

export const ReturnMatrixOptionsSchema = z
  .object({
    /** Column order: one trial per candidate name (the events' `strategy`). Default: in order of first close. */
    trials: z
      .array(z.string())
      .refine((t) => new Set(t).size === t.length, 'trial names must be distinct')
      .optional(),
    /** The study's span [from, to) in epoch ms; rows cover every period it touches, including those without closes. */
    from: z.number().finite(),
    to: z.number().finite(),
    /** Period length in ms, periods aligned on multiples of it from the epoch (UTC days by default). */
    periodMs: z.number().int().positive().default(DAY_MS),
  })
  .refine((o) => o.from < o.to, { message: 'from must be before to', path: ['to'] });
export type ReturnMatrixOptions = z.input<typeof ReturnMatrixOptionsSchema>;

export const PeriodReturnsSchema = z.object({
  /** Start instant of each row's period (epoch ms). */
  periods: z.array(z.number()),
  /** Trial name of each column. */
  trials: z.array(z.string()),
  /** rows = periods, columns = trials: Σ pnlPercentage / 100 of the trial's signals closed in the period. */
  matrix: z.array(z.array(z.number())),
});
export type PeriodReturns = z.infer<typeof PeriodReturnsSchema>;

/**
 * The T×N per-period return matrix of a study (RESEARCH §5) from its events: a cell is the sum of `pnlPercentage`
 * of the trial's signals closed (by `closeTimestamp`) in that period, divided by 100; 0 when none. Events other
 * than `closed` are ignored; every symbol of a trial adds to its column. A close outside [from, to) or of a trial
 * not listed in `trials` is an error: silently dropping it would understate a trial.
 *
 * @example
 * ```ts
 * const { matrix, trials } = periodReturns(events, { from: Date.parse('2024-01-01'), to: Date.parse('2025-01-01') });
 * cscv(matrix).pbo;
 * ```
 */
export function periodReturns(events: Iterable<SignalEvent>, options: ReturnMatrixOptions): PeriodReturns {
  const { from, to, periodMs, trials: listed } = ReturnMatrixOptionsSchema.parse(options);
  const first = Math.floor(from / periodMs);
  const T = Math.ceil(to / periodMs) - first;
  const trials = listed ? [...listed] : [];
  const column = new Map(trials.map((name, i) => [name, i]));
  const cells: number[][] = [];
  const add = (t: number, n: number, value: number) => {
    while (cells.length <= n) cells.push(new Array<number>(T).fill(0));
    cells[n]![t] += value;
  };
  for (const e of events) {
    if (e.action !== 'closed') continue;
    if (!(e.closeTimestamp >= from && e.closeTimestamp < to)) {
      throw new Error(`periodReturns: closed event ${e.eventId} at ${new Date(e.closeTimestamp).toISOString()} is outside the span [${new Date(from).toISOString()}, ${new Date(to).toISOString()})`);
    }
    let n = column.get(e.strategy);
    if (n === undefined) {
      if (listed) throw new Error(`periodReturns: closed event ${e.eventId} belongs to trial "${e.strategy}", which is not among the listed trials`);
      n = trials.length;
      trials.push(e.strategy);
      column.set(e.strategy, n);
    }
    add(Math.floor(e.closeTimestamp / periodMs) - first, n, e.pnl.pnlPercentage / 100);
  }
  while (cells.length < trials.length) cells.push(new Array<number>(T).fill(0));
  const periods = Array.from({ length: T }, (_, t) => (first + t) * periodMs);
  const matrix = periods.map((_, t) => trials.map((_, n) => cells[n]![t]!));
  return { periods, trials, matrix };
}
