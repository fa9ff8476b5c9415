import { z } from 'zod';
import { IntervalSchema, type Interval } from './intervals.js';
import { isoTime } from './time.js';

const positive = z.number().finite().positive();

/**
 * A closed OHLCV candle; `timestamp` is its open time in epoch ms (SEMANTICS §1).
 * The refinements state the validity rules; {@link checkCandle} is the allocation-free fast path of the same rules.
 */
export const CandleSchema = z
  .object({
    timestamp: z.number().int().finite().nonnegative(),
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

export const SymbolCandleSchema = z.object({ symbol: z.string().min(1), interval: IntervalSchema, candle: CandleSchema });

/** Same rules as {@link CandleSchema}, without allocating or calling out: the per-candle hot path. */
export function isValidCandle(c: Candle): boolean {
  const { timestamp: t, open: o, high: h, low: l, close: cl, volume: v } = c;
  // `x > 0 && x < Infinity` is false for NaN; the typeof checks keep numeric strings out.
  return (
    typeof t === 'number' &&
    t >= 0 &&
    t <= 9007199254740991 &&
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

/** Validate one candle; a bad one is a {@link CandleError} naming where, symbol, time and field. */
export function checkCandle(raw: unknown, origin: CandleOrigin): Candle {
  // Small on purpose so it inlines into readers; the zod path runs only for candles that fail.
  if (raw !== null && typeof raw === 'object' && isValidCandle(raw as Candle)) return raw as Candle;
  return explainBadCandle(raw, origin);
}

function explainBadCandle(raw: unknown, origin: CandleOrigin): Candle {
  const parsed = CandleSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : undefined;
  const ts = raw !== null && typeof raw === 'object' ? (raw as { timestamp?: unknown }).timestamp : undefined;
  const timestamp = typeof ts === 'number' ? ts : undefined;
  const at = typeof origin.at === 'function' ? origin.at() : origin.at;
  const where = at ? `${at}: ` : '';
  const when = timestamp !== undefined ? ` at ${isoTime(timestamp)} (${timestamp})` : '';
  const what = field ? `field '${field}': ${issue.message}` : issue.message;
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
