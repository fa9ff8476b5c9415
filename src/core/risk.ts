import { z } from 'zod';
import type { Position, Signal } from './signal.js';
import { problemsLine } from './problems.js';

/** An open position as a risk validation sees it: the lane that holds it and its signal (opened at `pendingAt`). */
export interface ActivePosition {
  readonly strategy: string;
  readonly symbol: string;
  readonly signal: Signal;
}

/**
 * What a risk profile judges (SEMANTICS §5): the proposed (or activating) signal of one lane and the positions open
 * under this profile at that instant, across every symbol and strategy it applies to, oldest first.
 */
export interface RiskPayload {
  readonly symbol: string;
  readonly strategy: string;
  readonly position: Position;
  /** The entry price: the current price for a market entry, the limit price for a scheduled one. */
  readonly priceOpen: number;
  readonly currentPrice: number;
  readonly now: number;
  readonly activePositionCount: number;
  readonly activePositions: readonly ActivePosition[];
  /** The whole signal being judged (take-profit, stop-loss, note…). */
  readonly signal: Signal;
}

/** Rejects by returning `false` (or a Promise of it) or by throwing; anything else allows. */
export type RiskValidationFn = (payload: RiskPayload) => boolean | void | PromiseLike<boolean | void>;

/** A validation with a note: the note is the rejection reason when it returns `false`. */
export interface RiskValidation {
  readonly validate: RiskValidationFn;
  readonly note?: string;
}

/** A named set of portfolio rules, shared by every strategy and symbol subject to it (SEMANTICS §5). */
export interface RiskProfile {
  readonly name: string;
  /** At most this many positions open at once under this profile (checked before the validations). */
  readonly maxConcurrentPositions?: number;
  /** Run in order after the position limit; the first that rejects decides. */
  readonly validations?: ReadonlyArray<RiskValidationFn | RiskValidation>;
}

const isFunction = (f: unknown): boolean => typeof f === 'function';

function isValidation(v: unknown): v is RiskValidationFn | RiskValidation {
  if (isFunction(v)) return true;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  const { validate, note } = v as Record<string, unknown>;
  return isFunction(validate) && (note === undefined || typeof note === 'string') && keys.every((k) => k === 'validate' || k === 'note');
}

/** The shape of a {@link RiskProfile} (unknown keys rejected): `RiskProfileSchema.safeParse(exported)`. */
export const RiskProfileSchema = z.strictObject({
  name: z.string().min(1, 'name must be a non-empty string'),
  maxConcurrentPositions: z.number().int('expected a positive integer').positive('expected a positive integer').optional(),
  validations: z
    .array(z.custom<RiskValidationFn | RiskValidation>(isValidation, 'expected a function or { validate: function, note?: string }'))
    .optional(),
});

/** A risk profile, module or risk book that is not usable: a mistake in what the user gave, reported in one line. */
export class RiskError extends Error {
  override readonly name = 'RiskError';
  /** Lets the CLI report it as a user mistake (one line, exit code 2). */
  readonly userError = true;
}

/**
 * Check a risk profile's shape and return it typed. Every problem is listed, naming the field and what was expected;
 * unknown keys are an error, so a typo never silently drops a rule.
 *
 * @example
 * ```ts
 * const portfolio = defineRisk({
 *   name: 'portfolio',
 *   maxConcurrentPositions: 2,
 *   validations: [
 *     { validate: ({ activePositions, symbol }) => !activePositions.some((p) => p.symbol === symbol), note: 'one position per symbol' },
 *   ],
 * });
 * ```
 */
export function defineRisk<P extends RiskProfile>(profile: P, source?: string): P {
  const parsed = RiskProfileSchema.safeParse(profile);
  if (!parsed.success) {
    const name = (profile as { name?: unknown } | null)?.name;
    const label = source ?? (typeof name === 'string' && name !== '' ? `risk profile '${name}'` : 'risk profile');
    throw new RiskError(problemsLine(parsed.error, `${label} is not valid`));
  }
  return profile;
}
