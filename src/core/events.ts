import { z } from 'zod';
import { SignalSchema, signalId, type Signal } from './signal.js';
import type { Pnl } from './pnl.js';
import { TradePartSchema, type TradePart } from './trade-parts.js';

const base = { eventId: z.string(), symbol: z.string(), strategy: z.string(), now: z.number() };
const withSignal = { ...base, signal: SignalSchema };

/**
 * Why a signal closed (SEMANTICS §4, §13): `stop_loss` at the original stop, `trailing_stop` at a stop that moved
 * (trailing, breakeven or `manage`), `manual` by `manage`, `liquidated` at the isolated-margin liquidation price.
 */
export const CloseReasonSchema = z.enum(['take_profit', 'stop_loss', 'time_expired', 'trailing_stop', 'manual', 'liquidated']);
export type CloseReason = z.infer<typeof CloseReasonSchema>;
export const CancelReasonSchema = z.enum(['timeout', 'stop_loss', 'risk']);
export type CancelReason = z.infer<typeof CancelReasonSchema>;
/** What moved the effective stop or take-profit (SEMANTICS §13). */
export const LevelCauseSchema = z.enum(['trailing', 'breakeven', 'manage']);
export type LevelCause = z.infer<typeof LevelCauseSchema>;

/** The event contract (SEMANTICS §8): one discriminated union on `action`, parsed with this schema by consumers. */
export const SignalEventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('scheduled'), ...withSignal }),
  z.object({
    action: z.literal('opened'),
    ...withSignal,
    /** Set only by a sizing operator (`sizePositions`): the quantity to trade. Optional, so older events still parse. */
    quantity: z.number().nonnegative().optional(),
    /** The amount the account put into this position (SEMANTICS §12); absent when the account did not fund it. */
    stake: z.number().positive().optional(),
    /** Where isolated margin is liquidated (SEMANTICS §13); only on a signal with leverage above 1. */
    liquidationPrice: z.number().positive().optional(),
  }),
  z.object({ action: z.literal('active'), ...withSignal, price: z.number() }),
  z.object({
    action: z.literal('closed'),
    ...withSignal,
    closeReason: CloseReasonSchema,
    closeTimestamp: z.number(),
    durationMinutes: z.number(),
    pnl: z.object({
      pnlPercentage: z.number(),
      priceOpen: z.number(),
      priceClose: z.number(),
      priceOpenAdjusted: z.number(),
      priceCloseAdjusted: z.number(),
    }),
    /** The position's stake and its money result, stake · pnl/100 (SEMANTICS §12); absent when the account did not fund it. */
    stake: z.number().positive().optional(),
    profit: z.number().optional(),
    /** The parts the trade was closed in, the final close last (SEMANTICS §13); only when it was closed in parts. */
    parts: z.array(TradePartSchema).optional(),
  }),
  z.object({ action: z.literal('cancelled'), ...withSignal, reason: CancelReasonSchema, closeTimestamp: z.number() }),
  z.object({ action: z.literal('partial_profit'), ...withSignal, level: z.number(), price: z.number() }),
  z.object({ action: z.literal('partial_loss'), ...withSignal, level: z.number(), price: z.number() }),
  z.object({
    action: z.literal('stop_moved'),
    ...withSignal,
    oldPrice: z.number(),
    newPrice: z.number(),
    cause: LevelCauseSchema,
  }),
  z.object({
    action: z.literal('take_moved'),
    ...withSignal,
    oldPrice: z.number(),
    newPrice: z.number(),
    cause: LevelCauseSchema,
  }),
  z.object({
    action: z.literal('partial_closed'),
    ...withSignal,
    /** The percent of the remaining position closed. */
    percent: z.number(),
    /** The part as a fraction of the original position, and what remains open after it. */
    fraction: z.number(),
    remaining: z.number(),
    price: z.number(),
    /** The part's pnl on margin: leverage × its §7 pnl. */
    pnlPercentage: z.number(),
    /** The part's stake and money result (SEMANTICS §12); absent when the account did not fund the signal. */
    stake: z.number().positive().optional(),
    profit: z.number().optional(),
  }),
  z.object({ action: z.literal('risk'), ...withSignal, reason: z.string() }),
  z.object({ action: z.literal('error'), ...base, message: z.string() }),
  z.object({ action: z.literal('progress'), ...base, processed: z.number(), total: z.number().nullable() }),
  z.object({ action: z.literal('done'), ...base, processed: z.number() }),
]);

export type SignalEvent = z.infer<typeof SignalEventSchema>;
export type EventAction = SignalEvent['action'];
export type EventOf<A extends EventAction> = Extract<SignalEvent, { action: A }>;
export type ClosedEvent = EventOf<'closed'>;
export type CancelledEvent = EventOf<'cancelled'>;

interface LaneKey {
  readonly symbol: string;
  readonly strategy: string;
}

/** Deterministic event id (SEMANTICS §8): strategy, symbol, signal key and action (and level) — never random. */
export function eventId(lane: LaneKey, key: string, action: string, level?: number): string {
  const tail = level === undefined ? action : `${action}:${level}`;
  return `${lane.strategy}|${lane.symbol}|${key}|${tail}`;
}

/**
 * What identifies a signal within its lane in event ids. The engine's own id already holds the instant it was
 * scheduled; an id the strategy supplied need not be unique (a constant id would give every signal the same event
 * ids, and consumers de-duplicating by `eventId` would drop them), so the instant is appended to it. `@` never ends
 * the engine's ids, whose last part is the instant after a `:`: the two kinds of keys cannot meet.
 */
export function signalKey(lane: LaneKey, signal: Pick<Signal, 'id' | 'scheduledAt'>): string {
  const { id, scheduledAt } = signal;
  return id === signalId(lane.strategy, lane.symbol, scheduledAt) ? id : `${id}@${scheduledAt}`;
}

export function signalEvent<A extends 'scheduled' | 'opened'>(
  action: A,
  lane: LaneKey,
  signal: Signal,
  now: number,
): EventOf<A> {
  const event = {
    action,
    eventId: eventId(lane, signalKey(lane, signal), action),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
  } as EventOf<A>;
  if (action === 'opened' && signal.liquidationPrice !== undefined) (event as EventOf<'opened'>).liquidationPrice = signal.liquidationPrice;
  return event;
}

export function closedEvent(
  lane: LaneKey,
  signal: Signal,
  now: number,
  closeReason: CloseReason,
  pnl: Pnl,
  parts: readonly TradePart[] | null = null,
): ClosedEvent {
  const event: ClosedEvent = {
    action: 'closed',
    eventId: eventId(lane, signalKey(lane, signal), 'closed'),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
    closeReason,
    closeTimestamp: now,
    durationMinutes: (now - (signal.pendingAt ?? now)) / 60_000,
    pnl,
  };
  if (parts !== null) event.parts = parts as TradePart[];
  return event;
}

/** The effective stop or take-profit moved (SEMANTICS §13): at most one of each per candle, so `now` keys it. */
export function levelMovedEvent(
  lane: LaneKey,
  signal: Signal,
  now: number,
  action: 'stop_moved' | 'take_moved',
  oldPrice: number,
  newPrice: number,
  cause: LevelCause,
): EventOf<'stop_moved' | 'take_moved'> {
  return {
    action,
    eventId: eventId(lane, signalKey(lane, signal), action, now),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
    oldPrice,
    newPrice,
    cause,
  };
}

/** A part of the position closed (SEMANTICS §13); `part` counts the signal's parts from 1, so it keys the event. */
export function partialClosedEvent(
  lane: LaneKey,
  signal: Signal,
  now: number,
  part: number,
  fields: { percent: number; fraction: number; remaining: number; price: number; pnlPercentage: number },
): EventOf<'partial_closed'> {
  return {
    action: 'partial_closed',
    eventId: eventId(lane, signalKey(lane, signal), 'partial_closed', part),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
    percent: fields.percent,
    fraction: fields.fraction,
    remaining: fields.remaining,
    price: fields.price,
    pnlPercentage: fields.pnlPercentage,
  };
}

export function cancelledEvent(lane: LaneKey, signal: Signal, now: number, reason: CancelReason): CancelledEvent {
  return {
    action: 'cancelled',
    eventId: eventId(lane, signalKey(lane, signal), 'cancelled'),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
    reason,
    closeTimestamp: now,
  };
}

export function partialEvent(
  lane: LaneKey,
  signal: Signal,
  now: number,
  direction: 'profit' | 'loss',
  level: number,
  price: number,
): EventOf<'partial_profit' | 'partial_loss'> {
  const action = direction === 'profit' ? 'partial_profit' : 'partial_loss';
  return {
    action,
    eventId: eventId(lane, signalKey(lane, signal), action, level),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
    level,
    price,
  };
}

export function riskEvent(lane: LaneKey, signal: Signal, now: number, reason: string): EventOf<'risk'> {
  return {
    action: 'risk',
    eventId: eventId(lane, signalKey(lane, signal), 'risk'),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
    reason,
  };
}

export function errorEvent(lane: LaneKey, now: number, message: string): EventOf<'error'> {
  return {
    action: 'error',
    eventId: eventId(lane, String(now), 'error'),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    message,
  };
}
