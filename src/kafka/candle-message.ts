import type { Message } from 'kafkajs';
import { z } from 'zod';
import { checkCandle, type SymbolCandle } from '../core/candle.js';
import { IntervalSchema } from '../core/intervals.js';

/**
 * A candle message on a Kafka topic: JSON `{ symbol, interval, candle: { timestamp, open, high, low, close, volume } }`,
 * keyed by symbol so one symbol's candles share a partition and stay in order.
 */
export const CandleMessageSchema = z.object({
  symbol: z.string().min(1),
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

/** Parse and validate a candle record's value; `at` names the record (topic, partition, offset) in errors. */
export function parseCandleMessage(value: Buffer | string | null, at: string): SymbolCandle {
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
  const c = checkCandle(parsed.data.candle, { symbol, at });
  return {
    symbol,
    interval,
    candle: { timestamp: c.timestamp, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume },
  };
}

function preview(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
