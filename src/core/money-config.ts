import { z } from 'zod';
import { SizingSchema } from './sizing.js';
import { issueText } from './problems.js';

/*
 * The money keys of the configuration (SEMANTICS §12): the starting balance and how large a stake each position
 * takes. Kept apart from the engine keys so the account can be used (and tested) without a run; the run's config
 * spreads these keys into its own schema.
 */

/** A fixed amount of the quote currency per position. */
export const FixedStakeSchema = z.number().finite().gt(0, 'must be > 0 (an amount of the quote currency per position)');

/** A share of the account's equity at the instant of opening. */
export const EquityPercentStakeSchema = z.strictObject({
  equityPercent: z.number().finite().gt(0, 'must be > 0 (percent of equity)').max(100, 'must be ≤ 100 (percent of equity)'),
});

/** How much each position takes out of free cash: a fixed amount, a share of equity, or a sizing method of §10. */
export const StakeSchema = z.union([FixedStakeSchema, EquityPercentStakeSchema, SizingSchema]);
export type Stake = z.output<typeof StakeSchema>;
export type StakeInput = z.input<typeof StakeSchema>;

/** `balance` and `stake`, with the defaults of SEMANTICS §12. */
export const MoneyConfigSchema = z.strictObject({
  balance: z.number().finite().gt(0, 'must be > 0 (starting equity in the quote currency)').default(10_000),
  stake: StakeSchema.default({ equityPercent: 10 }),
});
export type MoneyConfig = z.output<typeof MoneyConfigSchema>;
export type MoneyConfigInput = z.input<typeof MoneyConfigSchema>;

export class MoneyConfigError extends Error {
  override readonly name = 'MoneyConfigError';
  readonly userError = true;
}

/** Fill the defaults and validate; every problem names its key and what was expected. */
export function resolveMoneyConfig(input: MoneyConfigInput = {}, source = 'config'): MoneyConfig {
  const parsed = MoneyConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'invalid_union' && issue.path[0] === 'stake'
      ? `'${issue.path.join('.')}': expected a positive number, { equityPercent } or a sizing method ({ method: 'fixed-percentage' | 'kelly' | 'atr', … })`
      : issueText(issue),
  );
  throw new MoneyConfigError(`${source}: ${problems.join('; ')}`);
}
