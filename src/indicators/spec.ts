import { z } from 'zod';
import { IntervalSchema, type Interval } from '../core/intervals.js';

/**
 * What an indicator reads from each closed candle of its interval: the close (default), another price of the
 * candle, or a mix of them. Candle-shaped indicators (ATR, CCI, ADX, Donchian, stochastic) read high / low / close.
 */
export const IndicatorInputSchema = z.enum(['close', 'open', 'high', 'low', 'hl2', 'typical', 'ohlc4']);
export type IndicatorInput = z.infer<typeof IndicatorInputSchema>;

const period = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be an integer`).min(1, `${what} must be at least 1`).max(100_000, `${what} must be at most 100000`);
const shift = z.number({ error: 'shift must be a number' }).int('shift must be an integer').min(0, 'shift must be at least 0').max(10_000, 'shift must be at most 10000').default(0);
const interval = IntervalSchema.optional();

/** A single-output indicator of one price series (SMA, EMA, WMA, RSI, ROC). */
export const SeriesSpecSchema = z.strictObject({
  kind: z.enum(['sma', 'ema', 'wma', 'rsi', 'roc']),
  period: period('period'),
  interval,
  input: IndicatorInputSchema.default('close'),
  shift,
});

/** Bollinger bands of one price series: `{ upper, middle, lower }`. */
export const BollingerSpecSchema = z.strictObject({
  kind: z.literal('bollinger'),
  period: period('period'),
  stdDev: z.number({ error: 'stdDev must be a number' }).positive('stdDev must be > 0').max(100, 'stdDev must be at most 100'),
  interval,
  input: IndicatorInputSchema.default('close'),
  shift,
});

/** MACD of one price series (EMAs): `{ macd, signal, histogram }`. */
export const MacdSpecSchema = z
  .strictObject({
    kind: z.literal('macd'),
    fast: period('fast'),
    slow: period('slow'),
    signal: period('signal'),
    interval,
    input: IndicatorInputSchema.default('close'),
    shift,
  })
  .refine((s) => s.fast < s.slow, { path: ['fast'], message: 'fast must be below slow' });

/** A single-output indicator of whole candles (ATR, CCI, ADX): reads high, low and close. */
export const CandleSpecSchema = z.strictObject({
  kind: z.enum(['atr', 'cci', 'adx']),
  period: period('period'),
  interval,
  shift,
});

/** Donchian channel of highs and lows: `{ upper, middle, lower }`. */
export const DonchianSpecSchema = z.strictObject({
  kind: z.literal('donchian'),
  period: period('period'),
  interval,
  shift,
});

/** Stochastic oscillator of whole candles: `{ k, d }`. */
export const StochasticSpecSchema = z.strictObject({
  kind: z.literal('stochastic'),
  k: period('k'),
  d: period('d'),
  smooth: period('smooth').default(1),
  interval,
  shift,
});

export const IndicatorSpecSchema = z.discriminatedUnion('kind', [
  SeriesSpecSchema,
  BollingerSpecSchema,
  MacdSpecSchema,
  CandleSpecSchema,
  DonchianSpecSchema,
  StochasticSpecSchema,
]);

/** A declared indicator, as a builder ({@link sma}, {@link bollinger}, …) returns it. */
export type IndicatorSpec = z.input<typeof IndicatorSpecSchema>;
/** A checked indicator: defaults filled in. */
export type ParsedIndicatorSpec = z.output<typeof IndicatorSpecSchema>;
export type IndicatorKind = ParsedIndicatorSpec['kind'];

/** Where an indicator reads: its interval (the source's base interval when absent), its input, and a lag. */
export interface IndicatorOptions {
  /** Fed from closed buckets of this interval, aggregated from base candles (default: the base interval). */
  readonly interval?: Interval;
  /** The price each candle gives (default `close`); not for candle-shaped indicators. */
  readonly input?: IndicatorInput;
  /** The value as it was this many closed candles of the interval ago (default 0: the newest). */
  readonly shift?: number;
}

type CandleOptions = Omit<IndicatorOptions, 'input'>;

function where<O extends object>(options: Interval | O | undefined): O {
  return (typeof options === 'string' ? { interval: options } : (options ?? {})) as O;
}

/** Simple moving average of `period` candles: a number. */
export function sma(period: number, options?: Interval | IndicatorOptions): IndicatorSpec {
  return { kind: 'sma', period, ...where(options) };
}

/** Exponential moving average (weight 2 / (period + 1), warm after `period` candles): a number. */
export function ema(period: number, options?: Interval | IndicatorOptions): IndicatorSpec {
  return { kind: 'ema', period, ...where(options) };
}

/** Weighted moving average (linear weights, newest heaviest): a number. */
export function wma(period: number, options?: Interval | IndicatorOptions): IndicatorSpec {
  return { kind: 'wma', period, ...where(options) };
}

/** Wilder's relative strength index, 0–100 (warm after `period + 1` candles): a number. */
export function rsi(period: number, options?: Interval | IndicatorOptions): IndicatorSpec {
  return { kind: 'rsi', period, ...where(options) };
}

/** Rate of change over `period` candles, as a fraction (0.01 = +1 %): a number. */
export function roc(period: number, options?: Interval | IndicatorOptions): IndicatorSpec {
  return { kind: 'roc', period, ...where(options) };
}

/** Bollinger bands: SMA of `period` ± `stdDev` population standard deviations: `{ upper, middle, lower }`. */
export function bollinger(period: number, stdDev: number, options?: Interval | IndicatorOptions): IndicatorSpec {
  return { kind: 'bollinger', period, stdDev, ...where(options) };
}

/** MACD with EMAs (`fast` < `slow`, then an EMA of `signal` over their difference): `{ macd, signal, histogram }`. */
export function macd(fast: number, slow: number, signal: number, options?: Interval | IndicatorOptions): IndicatorSpec {
  return { kind: 'macd', fast, slow, signal, ...where(options) };
}

/** Average true range (Wilder's smoothing of the true range): a number. */
export function atr(period: number, options?: Interval | CandleOptions): IndicatorSpec {
  return { kind: 'atr', period, ...where(options) };
}

/** Commodity channel index of the typical price: a number. */
export function cci(period: number, options?: Interval | CandleOptions): IndicatorSpec {
  return { kind: 'cci', period, ...where(options) };
}

/** Average directional index (trend strength, 0–100): a number. */
export function adx(period: number, options?: Interval | CandleOptions): IndicatorSpec {
  return { kind: 'adx', period, ...where(options) };
}

/** Donchian channel: highest high and lowest low of `period` candles: `{ upper, middle, lower }`. */
export function donchian(period: number, options?: Interval | CandleOptions): IndicatorSpec {
  return { kind: 'donchian', period, ...where(options) };
}

/** Stochastic oscillator: %K over `k` candles smoothed over `smooth`, %D its SMA over `d`: `{ k, d }`. */
export function stochastic(k: number, d: number, smooth = 1, options?: Interval | CandleOptions): IndicatorSpec {
  return { kind: 'stochastic', k, d, smooth, ...where(options) };
}
