import { z } from 'zod';
import { CandleSchema, isValidCandle, type Candle } from '../core/candle.js';
import { SignalEventSchema, type SignalEvent } from '../core/events.js';
import type { LaneState } from '../core/lane.js';
import { EquitySnapshotSchema, type EquitySnapshot } from '../core/equity.js';
import { ManagedPositionSchema } from '../core/managed-position.js';
import { BreakevenSchema, LeverageSchema, PositionSchema, TrailingStopSchema } from '../core/signal.js';
import { describeIssues } from './describe-issues.js';
import { versionedFormat } from './versioned.js';

/*
 * The shapes tickflow keeps on disk. Every record carries its schema version, so a future format can be told apart
 * from a corrupted one; a record of an older version is migrated on read (see `versionedFormat`), one this code
 * cannot read is quarantined, never guessed at. Schemas are strict: a field
 * the code does not know about is a sign of drift (or of a newer writer) and must not be dropped silently.
 */

const price = z.number().finite().positive();
const instant = z.number().int().finite();

const SignalRecordSchema = z.strictObject({
  id: z.string().min(1),
  position: PositionSchema,
  priceOpen: price,
  priceTakeProfit: price,
  priceStopLoss: price,
  minuteEstimatedTime: z.number().int().positive(),
  scheduledAt: instant,
  pendingAt: instant.nullable(),
  note: z.string().nullable(),
});

const LevelsSchema = z.array(z.number().gt(0).lt(100));

const LaneStateV1Schema = z.strictObject({
  signal: SignalRecordSchema.nullable(),
  partials: z.strictObject({ profit: LevelsSchema, loss: LevelsSchema }),
  lastAskedAt: instant.nullable(),
});

/** A signal of format v2: v1's fields plus position management's (SEMANTICS §13), present only when set. */
const SignalRecordV2Schema = SignalRecordSchema.extend({
  trailingStop: TrailingStopSchema.optional(),
  breakeven: BreakevenSchema.optional(),
  leverage: LeverageSchema.optional(),
  liquidationPrice: price.optional(),
});

/** A lane's state, format v2: the open signal's management (peak, levels, parts) with it. */
export const LaneStateRecordSchema = z.strictObject({
  signal: SignalRecordV2Schema.nullable(),
  partials: z.strictObject({ profit: LevelsSchema, loss: LevelsSchema }),
  lastAskedAt: instant.nullable(),
  // A state built by hand (a `restore` in a test, a library caller) may leave it out: nothing managed yet.
  managed: ManagedPositionSchema.nullable().default(null),
});

/**
 * One lane's checkpoint (SEMANTICS §11): its state after the last transition, the open time of the candle that
 * made it, and the events that transition released — kept so a restart can re-deliver them (same `eventId`s) if
 * the process died between the commit and the events reaching their consumer. Format version 1.
 */
const CheckpointV1Schema = z.strictObject({
  version: z.literal(1),
  state: LaneStateV1Schema,
  lastTimestamp: instant,
  events: z.array(SignalEventSchema),
});
type CheckpointV1 = z.output<typeof CheckpointV1Schema>;

/** Format version 2: v1 with position management (SEMANTICS §13) in the state and its signal. */
const CheckpointV2Schema = z.strictObject({
  version: z.literal(2),
  state: LaneStateRecordSchema,
  lastTimestamp: instant,
  events: z.array(SignalEventSchema),
});

/** A v1 checkpoint as v2 writes it: its signal predates management, so nothing is managed yet. */
export function checkpointV1ToV2(record: CheckpointV1): z.input<typeof CheckpointV2Schema> {
  return { version: 2, state: { ...record.state, managed: null }, lastTimestamp: record.lastTimestamp, events: record.events };
}

/** The checkpoint format written today. A new version goes here with the previous one's `up` migration. */
export const CheckpointRecordSchema = CheckpointV2Schema;
export const CHECKPOINT_VERSION = 2;

export interface LaneCheckpoint {
  readonly version: typeof CHECKPOINT_VERSION;
  readonly state: LaneState;
  readonly lastTimestamp: number;
  readonly events: readonly SignalEvent[];
}

/**
 * Every checkpoint format this code reads, oldest first: a record of an older version is migrated to the current
 * one on read (and written back in the current one at the lane's next write), so an upgrade keeps open positions.
 */
export const CHECKPOINT_FORMAT = versionedFormat<LaneCheckpoint>('checkpoint', [
  { version: 1, schema: CheckpointV1Schema, up: checkpointV1ToV2 },
  { version: 2, schema: CheckpointV2Schema },
]);

/**
 * The run's account (SEMANTICS §12) as of the last cut: cash, open stakes, latest closes and the statistics' sums,
 * written in the same transaction as the lanes' checkpoints so a restart resumes both from one instant. Version 1.
 */
const AccountV1Schema = z.strictObject({ version: z.literal(1), account: EquitySnapshotSchema });
export const AccountRecordSchema = AccountV1Schema;
export const ACCOUNT_VERSION = 1;

export interface AccountRecord {
  readonly version: typeof ACCOUNT_VERSION;
  readonly account: EquitySnapshot;
}

export const ACCOUNT_FORMAT = versionedFormat<AccountRecord>('account', [{ version: 1, schema: AccountV1Schema }]);

export const PROGRESS_VERSION = 1;

/**
 * How far a lane got after its checkpoint was written (`writeCut`), keyed like the checkpoint:
 * `[version, lastTimestamp, lastAskedAt]`. Applied to the checkpoint on read; a whole write of the lane removes it.
 */
export const ProgressRecordSchema = z.tuple([z.literal(PROGRESS_VERSION), instant, instant.nullable()]);

export const CANDLE_VERSION = 1;

/**
 * A cached candle, keyed by `[symbol, interval, timestamp]`: `[version, open, high, low, close, volume]`. A tuple
 * rather than an object because a year of 1m candles is half a million of them.
 */
export const CandleRecordSchema = z.tuple([
  z.literal(CANDLE_VERSION),
  z.number(),
  z.number(),
  z.number(),
  z.number(),
  z.number(),
]);

export function candleRecord(c: Candle): readonly number[] {
  return [CANDLE_VERSION, c.open, c.high, c.low, c.close, c.volume];
}

/**
 * The cached candle at `timestamp`, or the reason it cannot be one. The fast path allocates one object; zod runs
 * only for a bad record, to say what is wrong with it.
 */
export function readCandleRecord(timestamp: number, raw: unknown): Candle | { readonly reason: string } {
  if (Array.isArray(raw) && raw.length === 6 && raw[0] === CANDLE_VERSION) {
    const c: Candle = { timestamp, open: raw[1], high: raw[2], low: raw[3], close: raw[4], volume: raw[5] };
    if (isValidCandle(c)) return c;
    const parsed = CandleSchema.safeParse(c);
    if (!parsed.success) return { reason: describeIssues(parsed.error) };
  }
  const parsed = CandleRecordSchema.safeParse(raw);
  return { reason: parsed.success ? 'not a valid candle' : describeIssues(parsed.error) };
}

export const RANGE_VERSION = 1;

/** A fetched range, keyed by `[symbol, interval, from]`: `[version, to]` — every candle in `[from, to)` is cached. */
export const RangeRecordSchema = z.tuple([z.literal(RANGE_VERSION), instant]);

export const QUARANTINE_VERSION = 1;

/** What the quarantine database holds for each record moved out of the way. */
export const QuarantineRecordSchema = z.strictObject({
  version: z.literal(QUARANTINE_VERSION),
  /** The database the record came from: `checkpoints`, `candles`, `ranges`. */
  db: z.string(),
  key: z.unknown(),
  /** The decoded value, or the raw bytes when they could not even be decoded. */
  raw: z.unknown(),
  reason: z.string(),
  /** Wall-clock time of the quarantine (for operators, never for trading decisions). */
  at: z.number(),
});

export type QuarantineRecord = z.infer<typeof QuarantineRecordSchema>;

export { describeIssues };
