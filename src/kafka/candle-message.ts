import type { Message } from 'kafkajs';
import { z } from 'zod';
import { checkCandle, type SymbolCandle } from '../core/candle.js';
import { intervalMs, IntervalSchema, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';

const MAX_SYMBOL_LENGTH = 100;

/**
 * A candle message on a Kafka topic: JSON `{ symbol, interval, candle: { timestamp, open, high, low, close, volume } }`,
 * keyed by symbol so one symbol's candles share a partition and stay in order.
 */
export const CandleMessageSchema = z.object({
  // Bounded and printable: a symbol is part of store keys (LMDB keys are at most ~2 KB) and of lane keys.
  symbol: z
    .string()
    .min(1)
    .max(MAX_SYMBOL_LENGTH, `a symbol is at most ${MAX_SYMBOL_LENGTH} characters`)
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'a symbol has no control characters'),
  interval: IntervalSchema,
  // Only its shape here: checkCandle checks the rest, with errors naming the field, the time and the value.
  candle: z.custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected a candle object'),
});

export class CandleMessageError extends Error {
  override readonly name = 'CandleMessageError';
}

/** A candle as a Kafka record. */
export function candleMessage(c: SymbolCandle): Message {
  const { timestamp, open, high, low, close, volume } = c.candle;
  return {
    key: c.symbol,
    value: JSON.stringify({ symbol: c.symbol, interval: c.interval, candle: { timestamp, open, high, low, close, volume } }),
  };
}

/**
 * How far ahead of the local clock a candle may close and still count as closed: the producer's and this host's
 * clocks may disagree by this much.
 */
export const CLOCK_TOLERANCE_MS = 60_000;

/**
 * Parse and validate a candle record's value; `at` names the record (topic, partition, offset) in errors. Besides
 * its fields, a candle must open on its interval's grid and have closed by `now` (the local clock, give or take
 * {@link CLOCK_TOLERANCE_MS}): one off-grid or from the future would replace a real candle, or make every later
 * candle of its symbol look like a re-delivery.
 */
export function parseCandleMessage(value: Buffer | string | null, at: string, now: number = Date.now()): SymbolCandle {
  if (value === null) throw new CandleMessageError(`${at}: empty message (null value)`);
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CandleMessageError(`${at}: not JSON (${(err as Error).message}): ${preview(text)}`);
  }
  const parsed = CandleMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    throw new CandleMessageError(`${at}: ${key ? `field '${key}': ` : ''}${issue.message}; got ${preview(text)}`);
  }
  const { symbol, interval } = parsed.data;
  const c = checkCandle(parsed.data.candle, { symbol, at, interval });
  const t = c.timestamp;
  if (t + intervalMs(interval) > now + CLOCK_TOLERANCE_MS) {
    const when = t <= 8.64e15 ? `${isoTime(t)} (${t})` : String(t);
    throw new CandleMessageError(`${at}: ${interval} candle for ${symbol} at ${when} has not closed yet by this host's clock (${isoTime(now)})`);
  }
  return {
    symbol,
    interval,
    candle: { timestamp: c.timestamp, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume },
  };
}

function preview(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
