import { z } from 'zod';
import { parseFlags, readArgs } from './parse-flags.js';
import { IntervalSchema } from '../core/intervals.js';
import { BrokerListSchema, TopicNameSchema } from './kafka-flags.js';
import type { ExchangeFeed } from './feed-exchange.js';
import { UserError } from './user-error.js';

const wholeNumber = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected ${what}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected ${what} of at least ${min}`).max(max, `expected ${what} of at most ${max}`));

/** A time flag: epoch ms, or a date `Date.parse` reads (an ISO date; give the zone, e.g. `2024-01-01T00:00Z`). */
const TimeSchema = z
  .string()
  .transform((s, ctx) => {
    const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isSafeInteger(t) || t < 0) {
      ctx.addIssue({ code: 'custom', message: `expected an ISO date or epoch ms, got '${s}'` });
      return z.NEVER;
    }
    return t;
  });

const FeedFlagsSchema = z
  .object({
    demo: z.boolean().default(false),
    candles: z.array(z.string().min(1)).default([]),
    symbol: z.array(z.string().min(1)).default([]),
    interval: IntervalSchema.optional(),
    'kafka-brokers': BrokerListSchema.optional(),
    'kafka-topic': TopicNameSchema.optional(),
    partitions: wholeNumber('a number of partitions', 1, 10_000).optional(),
    'kafka-retries': wholeNumber('a whole number of retries', 0, 1_000).default(5),
    exchange: z.string().regex(/^[a-z0-9_]+$/, 'expected a ccxt exchange id (e.g. binance)').optional(),
    since: TimeSchema.optional(),
    until: TimeSchema.optional(),
    help: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.exchange === undefined && (f.since !== undefined || f.until !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [f.since !== undefined ? 'since' : 'until'], message: 'goes with --exchange' });
    }
    if (f['kafka-brokers'] === undefined) ctx.addIssue({ code: 'custom', path: ['kafka-brokers'], message: 'is required: HOST:PORT[,HOST:PORT…]' });
    if (f['kafka-topic'] === undefined) ctx.addIssue({ code: 'custom', path: ['kafka-topic'], message: 'is required: the topic to publish the candles to' });
    if (f.exchange !== undefined) {
      if (f.demo || f.candles.length > 0) ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'reads the exchange: drop --demo and --candles' });
      if (f.symbol.length === 0) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'give the symbols to read from the exchange (--symbol BTC/USDT …)' });
      if (new Set(f.symbol).size !== f.symbol.length) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'a symbol is given twice' });
      if (f.since === undefined) ctx.addIssue({ code: 'custom', path: ['since'], message: 'is required with --exchange: the open time of the first candle (ISO date or epoch ms)' });
      if (f.since !== undefined && f.until !== undefined && f.until <= f.since) ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after --since' });
      return;
    }
    if (f.demo) {
      if (f.candles.length > 0 || f.symbol.length > 0) ctx.addIssue({ code: 'custom', path: ['demo'], message: 'publishes generated data: drop --candles and --symbol' });
      return;
    }
    if (f.candles.length === 0) ctx.addIssue({ code: 'custom', path: ['candles'], message: 'give --demo, or --candles FILE --symbol SYM (one pair per symbol)' });
    if (f.candles.length !== f.symbol.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['symbol'],
        message: `each --candles FILE needs its --symbol SYM (got ${f.candles.length} --candles and ${f.symbol.length} --symbol)`,
      });
    }
  });

type ParsedFeedFlags = z.output<typeof FeedFlagsSchema>;

export interface FeedFlags {
  readonly demo: boolean;
  /** One file per symbol. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly symbol: string }>;
  readonly interval: ParsedFeedFlags['interval'];
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Create the topic with this many partitions when it does not exist (an existing topic is left as it is). */
  readonly partitions: number | undefined;
  readonly retries: number;
  /** `--exchange`: read these candles from a ccxt exchange instead of files. */
  readonly exchange: ExchangeFeed | undefined;
  readonly help: boolean;
}

export const FEED_USAGE = `usage: tickflow feed --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …] [--interval 1m]
                    --kafka-brokers HOST:PORT[,…] --kafka-topic TOPIC [--partitions N] [--kafka-retries N]
       tickflow feed --demo --kafka-brokers HOST:PORT[,…] --kafka-topic TOPIC [--partitions N]
       tickflow feed --exchange ID --symbol SYM [--symbol SYM2 …] --since TIME [--until TIME] [--interval 1m]
                    --kafka-brokers HOST:PORT[,…] --kafka-topic TOPIC [--partitions N]
Publishes closed candles as JSON {symbol, interval, candle} keyed by symbol (one symbol's candles share a partition
and stay in order), the records 'kafkaCandles' and a Kafka-fed node read. Prints how many were published per symbol.
  --candles FILE --symbol SYM   a candle file (JSON or CSV, as backtest reads it) and its symbol; repeat per symbol
  --interval I     the candles' interval (default: inferred from the files; 1m with --exchange)
  --kafka-brokers HOST:PORT[,…] --kafka-topic TOPIC   the brokers and the topic to publish to (both required)
  --demo           the synthetic data of 'tickflow backtest --demo'
  --exchange ID    a ccxt exchange (e.g. binance): candles opening from --since to --until (default: all closed by
                   now), ISO dates or epoch ms, every symbol merged in time order
  --partitions N   create the topic with N partitions if it does not exist (more partitions: more nodes can share it)
  --kafka-retries  failed attempts per batch before giving up (default 5)
  -h, --help       this text`;

/** Parse and validate `tickflow feed` flags; every problem is a one-line UserError naming the flag. */
export function parseFeedFlags(argv: readonly string[]): FeedFlags {
  const values = readArgs(argv, {
    demo: { type: 'boolean' },
    candles: { type: 'string', multiple: true },
    symbol: { type: 'string', multiple: true },
    interval: { type: 'string' },
    'kafka-brokers': { type: 'string' },
    'kafka-topic': { type: 'string' },
    partitions: { type: 'string' },
    'kafka-retries': { type: 'string' },
    exchange: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const f = parseFlags(FeedFlagsSchema, values);
  return {
    demo: f.demo,
    files: f.candles.map((path, i) => ({ path, symbol: f.symbol[i]! })),
    interval: f.interval,
    brokers: f['kafka-brokers'] ?? [],
    topic: f['kafka-topic'] ?? '',
    partitions: f.partitions,
    retries: f['kafka-retries'],
    exchange:
      f.exchange === undefined
        ? undefined
        : { id: f.exchange, symbols: f.symbol, interval: f.interval ?? '1m', since: f.since!, until: f.until },
    help: f.help,
  };
}
