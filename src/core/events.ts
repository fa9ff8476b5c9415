import { z } from 'zod';
import { SignalSchema, signalId, type Signal } from './signal.js';
import type { Pnl } from './pnl.js';

const base = { eventId: z.string(), symbol: z.string(), strategy: z.string(), now: z.number() };
const withSignal = { ...base, signal: SignalSchema };

export const CloseReasonSchema = z.enum(['take_profit', 'stop_loss', 'time_expired']);
export type CloseReason = z.infer<typeof CloseReasonSchema>;
export const CancelReasonSchema = z.enum(['timeout', 'stop_loss', 'risk']);
export type CancelReason = z.infer<typeof CancelReasonSchema>;

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
  }),
  z.object({ action: z.literal('cancelled'), ...withSignal, reason: CancelReasonSchema, closeTimestamp: z.number() }),
  z.object({ action: z.literal('partial_profit'), ...withSignal, level: z.number(), price: z.number() }),
  z.object({ action: z.literal('partial_loss'), ...withSignal, level: z.number(), price: z.number() }),
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
  return {
    action,
    eventId: eventId(lane, signalKey(lane, signal), action),
    symbol: lane.symbol,
    strategy: lane.strategy,
    now,
    signal,
  } as EventOf<A>;
}

export function closedEvent(lane: LaneKey, signal: Signal, now: number, closeReason: CloseReason, pnl: Pnl): ClosedEvent {
  return {
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
