import { z } from 'zod';
import { roundTripCostPercent, type Config } from './config.js';
import { issueText, type KeyName } from './problems.js';
import { liquidatesOnLoss, liquidationPrice } from './liquidation.js';

export const PositionSchema = z.enum(['long', 'short']);
export type Position = z.infer<typeof PositionSchema>;

const price = z.number({ error: 'expected a number' }).finite().positive();

/**
 * Longest `note` a signal may carry, in characters: the note is copied into every event of the signal (and every
 * checkpoint), so a strategy that attaches a document would multiply it by the events.
 */
export const MAX_NOTE_LENGTH = 4_096;
/** Longest strategy-supplied signal `id`, in characters: it is part of every event id of the signal. */
export const MAX_SIGNAL_ID_LENGTH = 256;

const bounded = (max: number) =>
  z.string().max(max, {
    error: (issue) => `too long: ${(issue.input as string).length} characters, at most ${max}`,
  });

/**
 * A trailing stop (SEMANTICS §13): once the peak passes priceOpen by `activationPercent`, the stop trails the peak at
 * `distancePercent`. Both below 100, so a short's levels stay above 0.
 */
export const TrailingStopSchema = z.strictObject({
  distancePercent: z.number().gt(0, 'expected a distance above 0 %').lt(100, 'expected a distance below 100 %'),
  activationPercent: z.number().min(0, 'expected an activation of at least 0 %').lt(100, 'expected an activation below 100 %').default(0),
});
export type TrailingStop = z.output<typeof TrailingStopSchema>;

/** Breakeven (SEMANTICS §13): `true` triggers at the breakeven distance + 0.2 %, or at `triggerPercent`. */
export const BreakevenSchema = z.union([
  z.literal(true),
  z.strictObject({ triggerPercent: z.number().gt(0, 'expected a trigger above 0 %').lt(100, 'expected a trigger below 100 %') }),
]);
export type Breakeven = z.output<typeof BreakevenSchema>;

/** Leverage on isolated margin (SEMANTICS §13): an integer from 1 to 125. */
export const LeverageSchema = z.number().int('expected an integer leverage').min(1, 'expected a leverage of at least 1').max(125, 'expected a leverage of at most 125');

/**
 * A signal as it travels in events and checkpoints (the stable event contract; SEMANTICS §3, §8): the one schema of
 * this shape, every other use derives from it. `pendingAt` is null while scheduled.
 */
export const SignalSchema = z.object({
  id: z.string().min(1),
  position: PositionSchema,
  priceOpen: price,
  priceTakeProfit: price,
  priceStopLoss: price,
  minuteEstimatedTime: z.number().int().positive(),
  scheduledAt: z.number().int().finite(),
  pendingAt: z.number().int().finite().nullable(),
  note: z.string().nullable(),
  /*
   * Position management (SEMANTICS §13): present only on signals that ask for it, so a signal without them keeps
   * the exact shape (and bytes) of one that predates them.
   */
  trailingStop: TrailingStopSchema.optional(),
  breakeven: BreakevenSchema.optional(),
  leverage: LeverageSchema.optional(),
  /** Set by the engine when leverage > 1: where isolated margin is liquidated. */
  liquidationPrice: price.optional(),
});
export type Signal = Readonly<z.output<typeof SignalSchema>>;

/**
 * What a strategy's `getSignal` returns when it wants a position (SEMANTICS §3): the signal's own fields, with the
 * entry price optional (a limit entry when given) and the note and id optional and bounded.
 */
export const SignalDtoSchema = SignalSchema.pick({
  position: true,
  priceTakeProfit: true,
  priceStopLoss: true,
  minuteEstimatedTime: true,
  trailingStop: true,
  breakeven: true,
  leverage: true,
}).extend({
  priceOpen: price.optional(),
  note: bounded(MAX_NOTE_LENGTH).optional(),
  id: bounded(MAX_SIGNAL_ID_LENGTH).min(1).optional(),
});
export type SignalDto = z.input<typeof SignalDtoSchema>;

/** The signal opened at `pendingAt`: a new value with the same shape as every other signal (no spread). */
export function openedSignal(s: Signal, pendingAt: number): Signal {
  const opened = {
    id: s.id,
    position: s.position,
    priceOpen: s.priceOpen,
    priceTakeProfit: s.priceTakeProfit,
    priceStopLoss: s.priceStopLoss,
    minuteEstimatedTime: s.minuteEstimatedTime,
    scheduledAt: s.scheduledAt,
    pendingAt,
    note: s.note,
  };
  return isManagedSignal(s) ? withManagement(opened, s) : opened;
}

/** Whether the signal asks for any position management of its own (SEMANTICS §13). */
export function isManagedSignal(s: Signal): boolean {
  return s.trailingStop !== undefined || s.breakeven !== undefined || s.leverage !== undefined;
}

/** `target` with the management fields of `from` that are set (absent ones stay absent, not undefined). */
function withManagement(target: Signal, from: Pick<Signal, 'trailingStop' | 'breakeven' | 'leverage' | 'liquidationPrice'>): Signal {
  const out: { -readonly [K in keyof Signal]: Signal[K] } = target;
  if (from.trailingStop !== undefined) out.trailingStop = from.trailingStop;
  if (from.breakeven !== undefined) out.breakeven = from.breakeven;
  if (from.leverage !== undefined) out.leverage = from.leverage;
  if (from.liquidationPrice !== undefined) out.liquidationPrice = from.liquidationPrice;
  return out;
}

export type EntryKind = 'market' | 'scheduled';

/** A validated signal the lane may enter, before the risk gate has had its say. */
export interface Proposal {
  readonly signal: Signal;
  readonly entry: EntryKind;
}

export interface ProposalContext {
  readonly strategy: string;
  readonly symbol: string;
  readonly now: number;
  /** The current (average) price; market entries fill at it. */
  readonly price: number;
  readonly config: Config;
}

/** Deterministic signal id (SEMANTICS §8): the same strategy, symbol and time always give the same id. */
export function signalId(strategy: string, symbol: string, scheduledAt: number): string {
  return `${strategy}:${symbol}:${scheduledAt}`;
}

function pct(x: number): string {
  return `${Number(x.toFixed(6))}%`;
}

/**
 * Validate a strategy's output and decide its entry (SEMANTICS §3.1, §3.2). Returns the proposal, or every rule it
 * breaks — all of them, so one run of a strategy shows everything wrong with it.
 */
function isPrice(x: unknown): x is number {
  return typeof x === 'number' && x > 0 && x < Infinity;
}

/** The schema's rules without allocating: most strategies return well-formed signals, and zod is for explaining. */
function isWellFormed(dto: unknown): dto is SignalDto {
  if (dto === null || typeof dto !== 'object' || Array.isArray(dto)) return false;
  const d = dto as Record<string, unknown>;
  const m = d.minuteEstimatedTime;
  return (
    (d.position === 'long' || d.position === 'short') &&
    isPrice(d.priceTakeProfit) &&
    isPrice(d.priceStopLoss) &&
    typeof m === 'number' &&
    Number.isSafeInteger(m) &&
    m > 0 &&
    (d.priceOpen === undefined || isPrice(d.priceOpen)) &&
    (d.note === undefined || (typeof d.note === 'string' && d.note.length <= MAX_NOTE_LENGTH)) &&
    (d.id === undefined || (typeof d.id === 'string' && d.id.length > 0 && d.id.length <= MAX_SIGNAL_ID_LENGTH)) &&
    // Management fields are rare: zod checks (and defaults) them.
    d.trailingStop === undefined &&
    d.breakeven === undefined &&
    d.leverage === undefined
  );
}

// Signal problems name the field bare (`priceOpen: …`): the report already says it is about the signal.
const signalKey: KeyName = (path) => path.join('.');

export function proposeSignal(dto: unknown, ctx: ProposalContext): Proposal | { readonly problems: string[] } {
  const wellFormed = isWellFormed(dto);
  const parsed = wellFormed ? null : SignalDtoSchema.safeParse(dto);
  const problems: string[] =
    parsed === null || parsed.success
      ? []
      : parsed.error.issues.map((i) => issueText(i, signalKey));
  if (dto === null || typeof dto !== 'object' || Array.isArray(dto)) return { problems };
  // A malformed field does not hide what the others break: every rule that can still be judged is judged.
  const malformed = parsed === null || parsed.success ? null : new Set(parsed.error.issues.map((i) => i.path[0]));
  const d = dto as Record<string, unknown>;
  const field = <T>(key: keyof SignalDto): T | null => (malformed !== null && malformed.has(key) ? null : (d[key] as T));
  const position = field<SignalDto['position']>('position');
  const tp = field<number>('priceTakeProfit');
  const sl = field<number>('priceStopLoss');
  const priceOpen = field<number | undefined>('priceOpen');
  const minutes = field<number>('minuteEstimatedTime');
  const { config } = ctx;
  if (minutes !== null && config.maxSignalLifetimeMinutes > 0 && minutes > config.maxSignalLifetimeMinutes) {
    problems.push(`minuteEstimatedTime ${minutes} exceeds maxSignalLifetimeMinutes ${config.maxSignalLifetimeMinutes}`);
  }
  const long = position === 'long';
  let entry: EntryKind = 'market';
  if (priceOpen !== undefined) {
    const reached = priceOpen !== null && position !== null && (long ? ctx.price <= priceOpen : ctx.price >= priceOpen);
    entry = reached ? 'market' : 'scheduled';
  }
  // P, the entry price; unknown when the limit price or the position is malformed.
  const p = entry === 'market' ? ctx.price : position === null ? null : priceOpen;
  // Built only for a message: number-to-text is not free and most signals are fine.
  const pName = () => (entry === 'market' ? `current price ${p}` : `priceOpen ${p}`);
  if (p !== null && p !== undefined) {
    if (position === 'long') {
      if (tp !== null && !(tp > p)) problems.push(`long: priceTakeProfit ${tp} must be above ${pName()}`);
      if (sl !== null && !(sl < p)) problems.push(`long: priceStopLoss ${sl} must be below ${pName()}`);
    } else if (position === 'short') {
      if (tp !== null && !(tp < p)) problems.push(`short: priceTakeProfit ${tp} must be below ${pName()}`);
      if (sl !== null && !(sl > p)) problems.push(`short: priceStopLoss ${sl} must be above ${pName()}`);
    }
    const floor = roundTripCostPercent(config);
    const minTp = Math.max(config.minTakeProfitDistancePercent, floor);
    if (tp !== null) {
      const tpDistance = (Math.abs(tp - p) / p) * 100;
      if (minTp > 0 && tpDistance < minTp) {
        problems.push(
          `take-profit distance ${pct(tpDistance)} is below the minimum ${pct(minTp)} ` +
            `(minTakeProfitDistancePercent ${pct(config.minTakeProfitDistancePercent)}, round-trip cost ${pct(floor)})`,
        );
      }
    }
    if (sl !== null) {
      const slDistance = (Math.abs(sl - p) / p) * 100;
      if (config.minStopLossDistancePercent > 0 && slDistance < config.minStopLossDistancePercent) {
        problems.push(
          `stop-loss distance ${pct(slDistance)} is below minStopLossDistancePercent ${pct(config.minStopLossDistancePercent)}`,
        );
      }
      if (config.maxStopLossDistancePercent > 0 && slDistance > config.maxStopLossDistancePercent) {
        problems.push(
          `stop-loss distance ${pct(slDistance)} is above maxStopLossDistancePercent ${pct(config.maxStopLossDistancePercent)}`,
        );
      }
    }
  }
  const leverage = field<number | undefined>('leverage');
  if (p !== null && p !== undefined && position !== null && leverage !== null && leverage !== undefined && leverage > 1) {
    const liquidation = liquidationPrice(position, p, leverage, config);
    if (!liquidatesOnLoss(position, p, liquidation)) {
      problems.push(
        `leverage ${leverage} with maintenanceMarginPercent ${pct(config.maintenanceMarginPercent)} liquidates at ${liquidation}, ` +
          `not on the loss side of the entry ${p}`,
      );
    }
  }
  if (problems.length > 0 || (parsed !== null && !parsed.success)) return { problems };
  const v = (parsed === null ? dto : parsed.data) as z.output<typeof SignalDtoSchema>;
  const signal: Signal = {
    id: v.id ?? signalId(ctx.strategy, ctx.symbol, ctx.now),
    position: v.position,
    priceOpen: p!,
    priceTakeProfit: v.priceTakeProfit,
    priceStopLoss: v.priceStopLoss,
    minuteEstimatedTime: v.minuteEstimatedTime,
    scheduledAt: ctx.now,
    pendingAt: entry === 'market' ? ctx.now : null,
    note: v.note ?? null,
  };
  if (v.trailingStop === undefined && v.breakeven === undefined && v.leverage === undefined) return { entry, signal };
  const liquidation = v.leverage !== undefined && v.leverage > 1 ? liquidationPrice(v.position, p!, v.leverage, config) : undefined;
  return { entry, signal: withManagement(signal, { ...v, liquidationPrice: liquidation }) };
}
