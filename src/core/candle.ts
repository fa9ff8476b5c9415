import { z } from 'zod';
import { INTERVAL_MS, IntervalSchema, MINUTE_MS, type Interval } from './intervals.js';
import { fieldKey, issueText } from './problems.js';
import { isoTime } from './time.js';

const positive = z.number().finite().positive();

/** The last instant a JavaScript Date can hold (year 275760): beyond it no time can be named or compared as a date. */
export const MAX_TIMESTAMP = 8.64e15;

const DAY_MS = 1440 * MINUTE_MS;

/**
 * The step of each interval's grid. Up to a day, a candle opens at a multiple of its interval since the epoch. For 3d
 * and 1w, whose phase differs between exchanges (weeks open on Monday, the epoch was a Thursday), a whole UTC day.
 */
export const GRID_MS: Readonly<Record<Interval, number>> = Object.fromEntries(
  Object.entries(INTERVAL_MS).map(([name, ms]) => [name, Math.min(ms, DAY_MS)]),
) as Record<Interval, number>;

/**
 * Whether `timestamp` lies on the grid of `interval` (SEMANTICS §1: a candle's timestamp is its open time). Division,
 * not `%`: for integers below 2^53 the quotient is an integer exactly when the grid step divides the timestamp.
 */
export function isOnGrid(timestamp: number, interval: Interval): boolean {
  const q = timestamp / GRID_MS[interval];
  return q === Math.floor(q);
}

/**
 * A closed OHLCV candle; `timestamp` is its open time in epoch ms (SEMANTICS §1).
 * The refinements state the validity rules; {@link checkCandle} is the allocation-free fast path of the same rules.
 */
export const CandleSchema = z
  .object({
    timestamp: z.number().int().finite().nonnegative().max(MAX_TIMESTAMP, `must be at most ${MAX_TIMESTAMP} (the last time a date can hold)`),
    open: positive,
    high: positive,
    low: positive,
    close: positive,
    volume: z.number().finite().nonnegative(),
  })
  .superRefine((c, ctx) => {
    if (c.low > Math.min(c.open, c.close)) {
      ctx.addIssue({ code: 'custom', path: ['low'], message: `low ${c.low} must be ≤ min(open ${c.open}, close ${c.close})` });
    }
    if (c.high < Math.max(c.open, c.close)) {
      ctx.addIssue({ code: 'custom', path: ['high'], message: `high ${c.high} must be ≥ max(open ${c.open}, close ${c.close})` });
    }
  });

export type Candle = z.infer<typeof CandleSchema>;

/** A candle on its way through the pipeline: which symbol and base interval it belongs to. */
export interface SymbolCandle {
  readonly symbol: string;
  readonly interval: Interval;
  readonly candle: Candle;
}

export const SymbolCandleSchema = z
  .object({ symbol: z.string().min(1), interval: IntervalSchema, candle: CandleSchema })
  .superRefine((c, ctx) => {
    if (!isOnGrid(c.candle.timestamp, c.interval)) ctx.addIssue({ code: 'custom', path: ['candle', 'timestamp'], message: offGridMessage(c.interval) });
  });

function offGridMessage(interval: Interval): string {
  const step = GRID_MS[interval];
  return `not on the ${interval} grid: a candle's timestamp is its open time, a multiple of ${step} ms${step === INTERVAL_MS[interval] ? '' : ' (a whole UTC day)'}`;
}

/** Same rules as {@link CandleSchema}, without allocating or calling out: the per-candle hot path. */
export function isValidCandle(c: Candle): boolean {
  const { timestamp: t, open: o, high: h, low: l, close: cl, volume: v } = c;
  // `x > 0 && x < Infinity` is false for NaN; the typeof checks keep numeric strings out.
  return (
    typeof t === 'number' &&
    t >= 0 &&
    t <= MAX_TIMESTAMP &&
    Math.floor(t) === t &&
    typeof o === 'number' &&
    typeof h === 'number' &&
    typeof l === 'number' &&
    typeof cl === 'number' &&
    typeof v === 'number' &&
    o > 0 &&
    h < Infinity &&
    l > 0 &&
    cl > 0 &&
    v >= 0 &&
    v < Infinity &&
    l <= (o < cl ? o : cl) &&
    // With the checks above this also bounds open and close (≤ high < ∞) and makes high positive (≥ open > 0):
    // the same rules with fewer comparisons, on every candle of every replay.
    h >= (o > cl ? o : cl)
  );
}

/** Where a candle came from, for error messages: a file and line, an array index, a topic offset. */
export interface CandleOrigin {
  readonly symbol: string;
  /**
   * e.g. `data.csv line 17`, `index 42`, `topic candles partition 0 offset 7`. A function is called only when the
   * candle is bad, so hot readers need not build a string per candle.
   */
  readonly at?: string | (() => string);
  /** The candle's interval, when the boundary knows it: its timestamp must then lie on the interval's grid. */
  readonly interval?: Interval;
}

export class CandleError extends Error {
  override readonly name = 'CandleError';
  constructor(
    message: string,
    readonly symbol: string,
    readonly timestamp: number | undefined,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

function describeValue(raw: unknown): string {
  try {
    const text = JSON.stringify(raw);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(raw);
  }
}

/**
 * Validate one candle; a bad one is a {@link CandleError} naming where, symbol, time and field. With
 * `origin.interval` the timestamp must also lie on that interval's grid: the one rule every boundary applies.
 */
export function checkCandle(raw: unknown, origin: CandleOrigin): Candle {
  // Small on purpose so it inlines into readers; the zod path runs only for candles that fail.
  if (raw !== null && typeof raw === 'object' && isValidCandle(raw as Candle)) {
    if (origin.interval === undefined || isOnGrid((raw as Candle).timestamp, origin.interval)) return raw as Candle;
  }
  return explainBadCandle(raw, origin);
}

function explainBadCandle(raw: unknown, origin: CandleOrigin): Candle {
  const parsed = CandleSchema.safeParse(raw);
  let field: string | undefined;
  let what: string;
  if (parsed.success) {
    if (origin.interval === undefined || isOnGrid(parsed.data.timestamp, origin.interval)) return parsed.data;
    field = 'timestamp';
    what = `field 'timestamp': ${offGridMessage(origin.interval)}`;
  } else {
    const issue = parsed.error.issues[0]!;
    field = issue.path.length > 0 ? issue.path.join('.') : undefined;
    what = issueText(issue, fieldKey);
  }
  const ts = raw !== null && typeof raw === 'object' ? (raw as { timestamp?: unknown }).timestamp : undefined;
  const timestamp = typeof ts === 'number' ? ts : undefined;
  const at = typeof origin.at === 'function' ? origin.at() : origin.at;
  const where = at ? `${at}: ` : '';
  const when = timestamp !== undefined ? ` at ${isoTime(timestamp)} (${timestamp})` : '';
  throw new CandleError(
    `${where}invalid candle for ${origin.symbol}${when}: ${what}; got ${describeValue(raw)}`,
    origin.symbol,
    timestamp,
    field,
  );
}

/** Exchange / ccxt row `[timestamp, open, high, low, close, volume]` as a candle object (not yet validated). */
export function candleFromRow(row: readonly unknown[]): Candle {
  return {
    timestamp: row[0] as number,
    open: row[1] as number,
    high: row[2] as number,
    low: row[3] as number,
    close: row[4] as number,
    volume: row[5] as number,
  };
}
