import { z } from 'zod';
import { resolveConfig, type Config } from '../core/config.js';
import { UserError } from './user-error.js';

/*
 * `--balance` and `--stake` (SEMANTICS §12): the account's flags, shared by `backtest` and `walker`. They override the
 * config file's `balance` and `stake`; a sizing method of §10 is given in the config file.
 */

const amount = (flag: string, what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `${flag}: expected ${what}`)
    .transform(Number)
    .refine((n) => n > 0, `${flag}: must be > 0`);

export const MONEY_FLAG_FIELDS = {
  balance: amount('--balance', 'a positive amount of the quote currency, e.g. 1000').optional(),
  /** A fixed amount (`100`) or a share of equity at opening (`10%`). */
  stake: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?%?$/, '--stake: expected an amount per position (e.g. 100) or a percent of equity (e.g. 10%)')
    .transform((s) => (s.endsWith('%') ? { equityPercent: Number(s.slice(0, -1)) } : Number(s)))
    .optional(),
};

export const MONEY_FLAG_ARGS = { balance: { type: 'string' }, stake: { type: 'string' } } as const;

export const MONEY_FLAGS_HELP = `--balance AMOUNT: the account's starting equity in the quote currency (default 10000, or the config's 'balance')
--stake AMOUNT|P%: what each position takes out of free cash: a fixed amount, or P % of the equity at opening
    (default 10%, or the config's 'stake', which may also be a sizing method); a stake larger than the free cash is a
    'risk' rejection with reason 'insufficient balance'`;

/** The config with the money flags applied over it (validated again: a 150% stake is an error naming the flag). */
export function withMoneyFlags(config: Config, flags: { balance?: number; stake?: number | { equityPercent: number } }): Config {
  if (flags.balance === undefined && flags.stake === undefined) return config;
  try {
    return resolveConfig(
      { ...config, ...(flags.balance === undefined ? {} : { balance: flags.balance }), ...(flags.stake === undefined ? {} : { stake: flags.stake }) },
      '--balance/--stake',
    );
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}
