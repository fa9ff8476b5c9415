import { z } from 'zod';
import { ParamSpaceError, parseParamAssignments } from '../core/param-space.js';
import { withParams, type Strategy } from '../core/strategy.js';
import { parseTimeRange, TimeRangeError, type TimeRange } from '../pipelines/timerange.js';
import { UserError } from './user-error.js';

/** `--timerange FROM..TO` as a flag field: parsed into a {@link TimeRange}, a bad one is the flag's problem. */
export const TimeRangeFlagSchema = z
  .string()
  .transform((text, ctx): TimeRange => {
    try {
      return parseTimeRange(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof TimeRangeError ? err.message : String(err) });
      return z.NEVER;
    }
  })
  .optional();

/** `--timerange` (backtest, walker, optimize, walk-forward). */
export const TIMERANGE_FLAG_FIELDS = { timerange: TimeRangeFlagSchema };
export const TIMERANGE_ARGS = { timerange: { type: 'string' } } as const;

/** `--param k=v …` (backtest: one candidate of a parameterised strategy). */
export const PARAM_FLAG_FIELDS = { param: z.array(z.string()).default([]) };
export const PARAM_ARGS = { param: { type: 'string', multiple: true } } as const;

export const RESEARCH_FLAGS_HELP = `--timerange FROM..TO: decide only at FROM ≤ now < TO (ISO-8601 dates in UTC or epoch ms; either side may be
    empty); earlier candles still warm up history and price, trades still open at TO close time_expired there
--param NAME=VALUE: run the one candidate of the strategy's parameter space (repeatable; the rest take their default)`;

/** A ParamSpaceError as the command's one-line UserError (exit 2). */
export function paramUserError(err: unknown): unknown {
  return err instanceof ParamSpaceError ? new UserError(err.message) : err;
}

/**
 * The strategies a run uses once `--param` is applied: with assignments, the one strategy given becomes the candidate
 * `NAME[k=v,…]` (unlisted parameters at their default); without, they run as they are (defaults in `ctx.params`).
 */
export function applyParamFlags(strategies: Strategy[], assignments: readonly string[]): Strategy[] {
  if (assignments.length === 0) return strategies;
  if (strategies.length !== 1) throw new UserError(`--param needs exactly one strategy (got ${strategies.length}: ${strategies.map((s) => s.name).join(', ')})`);
  const strategy = strategies[0]!;
  try {
    return [withParams(strategy, parseParamAssignments(assignments, strategy.params ?? {}, strategy.name))];
  } catch (err) {
    throw paramUserError(err);
  }
}
