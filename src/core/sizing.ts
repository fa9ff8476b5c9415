import { z } from 'zod';

/*
 * Position sizing (SEMANTICS §10): how much to buy or sell, from the balance, the entry price and a method. Pure
 * functions; every input is checked with zod first, and a bad one is a SizingError that names it, says what was
 * expected and what was given — never a quiet NaN, Infinity or 0.
 */

const IN_0_1 = 'must be strictly between 0 and 1 (a probability, e.g. 0.55)';

const constraintFields = {
  /** Cap: quantity ≤ balance · maxPositionPercent / 100 / priceOpen. */
  maxPositionPercent: z.number().gt(0, 'must be > 0 (a percentage of the balance)').optional(),
  /** Floor, applied after maxPositionPercent: a smaller quantity (0 included) is raised to it. */
  minPositionSize: z.number().min(0, 'must be ≥ 0').optional(),
  /** Cap, applied last. */
  maxPositionSize: z.number().gt(0, 'must be > 0').optional(),
};

const riskPercent = z.number().gt(0, 'must be > 0 (percent of the balance risked)').max(100, 'must be ≤ 100 (percent of the balance risked)');

/** Risk a fixed share of the balance between the entry and the stop-loss. */
export const FixedPercentageSizingSchema = z.strictObject({
  method: z.literal('fixed-percentage'),
  riskPercent,
  ...constraintFields,
});

/** Kelly criterion from a win rate and a win/loss ratio, scaled down by `kellyMultiplier` (quarter Kelly default). */
export const KellySizingSchema = z.strictObject({
  method: z.literal('kelly'),
  winRate: z.number().gt(0, IN_0_1).lt(1, IN_0_1),
  winLossRatio: z.number().gt(0, 'must be > 0 (average win / |average loss|)'),
  kellyMultiplier: z.number().gt(0, 'must be > 0').default(0.25),
  ...constraintFields,
});

/** Risk a fixed share of the balance over a multiple of the average true range. */
export const AtrSizingSchema = z.strictObject({
  method: z.literal('atr'),
  riskPercent,
  atr: z.number().gt(0, 'must be > 0 (an average true range in price units)'),
  atrMultiplier: z.number().gt(0, 'must be > 0').default(2),
  ...constraintFields,
});

/** A sizing method and its constraints, discriminated by `method`. */
export const SizingSchema = z.discriminatedUnion('method', [FixedPercentageSizingSchema, KellySizingSchema, AtrSizingSchema]);
export type Sizing = z.input<typeof SizingSchema>;
export type SizingMethod = Sizing['method'];
export type SizingConstraints = Pick<Sizing, 'maxPositionPercent' | 'minPositionSize' | 'maxPositionSize'>;

/** What the sizing is applied to: the balance and the entry (and, for fixed-percentage, the stop-loss). */
export const SizingAccountSchema = z.strictObject({
  balance: z.number().gt(0, 'must be > 0'),
  priceOpen: z.number().gt(0, 'must be > 0'),
  priceStopLoss: z.number().gt(0, 'must be > 0').optional(),
});
export type SizingAccount = z.input<typeof SizingAccountSchema>;

/** A sizing input that cannot give a quantity; the message names the input, what was expected and what was given. */
export class SizingError extends Error {
  override readonly name = 'SizingError';
  readonly userError = true;
}

function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown input(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    if (issue.path.length === 0) return issue.message;
    const key = String(issue.path[issue.path.length - 1]);
    if (issue.code === 'invalid_union') {
      // An unknown discriminator: the issue's input is the whole object, so show the field itself.
      const options = (issue as { options?: unknown[] }).options ?? [];
      const value = (issue.input as Record<string, unknown> | undefined)?.[key];
      return `${key} must be one of ${options.map((o) => `'${String(o)}'`).join(' | ')}, got ${shown(value)}`;
    }
    return `${issue.path.join('.')} ${issue.message}, got ${shown(issue.input)}`;
  });
  throw new SizingError(`${what}: ${problems.join('; ')}`);
}

/**
 * The constraints of SEMANTICS §10, in order: `maxPositionPercent` caps, then `minPositionSize` raises, then
 * `maxPositionSize` caps (so it wins over the floor).
 *
 * @example
 * ```ts
 * applySizingConstraints(5, { maxPositionPercent: 10 }, { balance: 10_000, priceOpen: 50_000 }); // 0.02
 * ```
 */
export function applySizingConstraints(
  quantity: number,
  constraints: SizingConstraints,
  account: { readonly balance: number; readonly priceOpen: number },
): number {
  let q = quantity;
  if (constraints.maxPositionPercent !== undefined) {
    q = Math.min(q, (account.balance * constraints.maxPositionPercent) / 100 / account.priceOpen);
  }
  if (constraints.minPositionSize !== undefined) q = Math.max(q, constraints.minPositionSize);
  if (constraints.maxPositionSize !== undefined) q = Math.min(q, constraints.maxPositionSize);
  return q;
}

/** The method alone, before constraints. */
function rawQuantity(sizing: z.output<typeof SizingSchema>, account: z.output<typeof SizingAccountSchema>): number {
  const { balance, priceOpen } = account;
  switch (sizing.method) {
    case 'fixed-percentage': {
      const stop = account.priceStopLoss;
      if (stop === undefined) throw new SizingError('fixed-percentage sizing: priceStopLoss is required (the risk is the distance to it)');
      const distance = Math.abs(priceOpen - stop);
      if (distance === 0) {
        throw new SizingError(
          `fixed-percentage sizing: priceStopLoss ${stop} equals priceOpen ${priceOpen}: a zero stop distance risks nothing per unit, so no quantity follows from it`,
        );
      }
      return (balance * sizing.riskPercent) / 100 / distance;
    }
    case 'kelly': {
      const { winRate: w, winLossRatio: r } = sizing;
      const kelly = (w * r - (1 - w)) / r;
      return (balance * Math.max(0, kelly) * sizing.kellyMultiplier) / priceOpen;
    }
    case 'atr':
      return (balance * sizing.riskPercent) / 100 / (sizing.atr * sizing.atrMultiplier);
  }
}

/**
 * The quantity to trade (SEMANTICS §10): the method, then the constraints. Throws a {@link SizingError} naming the
 * input when one is invalid (winRate outside (0, 1), a zero stop distance, atr ≤ 0, minPositionSize above
 * maxPositionSize, …).
 *
 * @example
 * ```ts
 * positionSize({ method: 'kelly', winRate: 0.55, winLossRatio: 1.5 }, { balance: 10_000, priceOpen: 50_000 }); // 0.0125
 * positionSize({ method: 'fixed-percentage', riskPercent: 2 }, { balance: 10_000, priceOpen: 50_000, priceStopLoss: 49_000 }); // 0.2
 * ```
 */
export function positionSize(sizing: Sizing, account: SizingAccount): number {
  const method = (sizing as { method?: unknown } | null)?.method;
  const known = SizingSchema.options.some((o) => o.shape.method.value === method);
  const what = known ? `${String(method)} sizing` : 'sizing';
  const s = parse(SizingSchema, sizing, what);
  const a = parse(SizingAccountSchema, account, what);
  if (s.minPositionSize !== undefined && s.maxPositionSize !== undefined && s.minPositionSize > s.maxPositionSize) {
    throw new SizingError(`${what}: minPositionSize ${s.minPositionSize} is above maxPositionSize ${s.maxPositionSize}`);
  }
  return applySizingConstraints(rawQuantity(s, a), s, a);
}

type Flat<M extends SizingMethod, A extends keyof SizingAccount> = Omit<Extract<Sizing, { method: M }>, 'method'> &
  Required<Pick<SizingAccount, A>>;

/**
 * Fixed-percentage sizing: quantity = balance · riskPercent / 100 / |priceOpen − priceStopLoss|, then the constraints.
 *
 * @example
 * ```ts
 * fixedPercentageSize({ balance: 10_000, priceOpen: 50_000, priceStopLoss: 49_000, riskPercent: 2 }); // 0.2
 * ```
 */
export function fixedPercentageSize(input: Flat<'fixed-percentage', 'balance' | 'priceOpen' | 'priceStopLoss'>): number {
  const { balance, priceOpen, priceStopLoss, ...sizing } = input;
  return positionSize({ method: 'fixed-percentage', ...sizing }, { balance, priceOpen, priceStopLoss });
}

/**
 * Kelly sizing: k = (W·R − (1 − W)) / R, quantity = balance · max(0, k) · kellyMultiplier / priceOpen, then the
 * constraints.
 *
 * @example
 * ```ts
 * kellySize({ balance: 10_000, priceOpen: 50_000, winRate: 0.55, winLossRatio: 1.5 }); // 0.0125 (quarter Kelly)
 * ```
 */
export function kellySize(input: Flat<'kelly', 'balance' | 'priceOpen'>): number {
  const { balance, priceOpen, ...sizing } = input;
  return positionSize({ method: 'kelly', ...sizing }, { balance, priceOpen });
}

/**
 * ATR sizing: quantity = balance · riskPercent / 100 / (atr · atrMultiplier), then the constraints.
 *
 * @example
 * ```ts
 * atrSize({ balance: 10_000, priceOpen: 50_000, atr: 500, riskPercent: 2 }); // 0.2 (atrMultiplier 2)
 * ```
 */
export function atrSize(input: Flat<'atr', 'balance' | 'priceOpen'>): number {
  const { balance, priceOpen, ...sizing } = input;
  return positionSize({ method: 'atr', ...sizing }, { balance, priceOpen });
}
