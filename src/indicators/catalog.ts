import { ADX, ATR, BollingerBands, CCI, DonchianChannels, EMA, MACD, ROC, RSI, SMA, StochasticOscillator, WMA } from 'trading-signals';
import type { Candle } from '../core/candle.js';
import type { IndicatorInput, IndicatorKind, ParsedIndicatorSpec } from './spec.js';

/** What tickflow needs of a trading-signals indicator: one closed candle's input at a time, and its result. */
export interface LibraryIndicator {
  update(input: never, replace: false): unknown;
  getResultOrThrow(): unknown;
  getRequiredInputs(): number;
  readonly isStable: boolean;
}

/** A multi-output indicator's value as a strategy reads it: a small frozen object of numbers. */
export type IndicatorObject = Readonly<Record<string, number>>;
/** `ctx.indicators.NAME`: a number, a frozen object (bands, MACD, stochastic), or null until warm. */
export type IndicatorValue = number | IndicatorObject | null;

/** How one kind is made from the library and read back. */
export interface IndicatorKindInfo {
  create(spec: ParsedIndicatorSpec): LibraryIndicator;
  /** Fed whole candles (high / low / close) rather than one price. */
  readonly candles: boolean;
  /** The library's result as tickflow hands it out; absent for a plain number. */
  readonly output?: (result: never) => IndicatorObject;
  /**
   * Warm before this many updates is impossible: reading `isStable` before it would throw inside the library (EMA
   * reports readiness by throwing), so the check is skipped until then.
   */
  readonly settled?: (spec: ParsedIndicatorSpec) => number;
  /**
   * Recursive smoothing (EMA, Wilder's) remembers every input, fading: after this many inputs what came before an
   * instance's first input weighs less than a double's precision, so instances fed the same candles from different
   * starts (a node restarted from its candle cache, a window of a longer run) give the same values. The warm-up
   * covers it. Absent for windowed kinds, which forget exactly after their window.
   */
  readonly memory?: (spec: ParsedIndicatorSpec) => number;
}

// Inputs for a smoothing factor `alpha` to fade an old input below 2^-53 (with a margin): 40 / alpha.
const fades = (alpha: number) => Math.ceil(40 / alpha);
const emaMemory = (period: number) => fades(2 / (period + 1));
const wilderMemory = (period: number) => fades(1 / period);

// The spec shape whose `kind` admits K (several kinds share one shape).
type Spec<K extends IndicatorKind> = ParsedIndicatorSpec extends infer S ? (S extends { kind: infer SK } ? (K extends SK ? S : never) : never) : never;
const bands = (r: { upper: number; middle: number; lower: number }): IndicatorObject =>
  Object.freeze({ upper: r.upper, middle: r.middle, lower: r.lower });

/**
 * Every supported kind. To add one from trading-signals: its spec shape in `spec.ts` (a zod schema and a builder),
 * and an entry here saying how to construct it, whether it reads candles, and how to hand out a multi-part result.
 */
export const KINDS: { readonly [K in IndicatorKind]: IndicatorKindInfo } = {
  sma: { create: (s) => new SMA((s as Spec<'sma'>).period), candles: false },
  ema: {
    create: (s) => new EMA((s as Spec<'ema'>).period),
    candles: false,
    settled: (s) => (s as Spec<'ema'>).period,
    memory: (s) => emaMemory((s as Spec<'ema'>).period),
  },
  wma: { create: (s) => new WMA((s as Spec<'wma'>).period), candles: false },
  rsi: { create: (s) => new RSI((s as Spec<'rsi'>).period), candles: false, memory: (s) => wilderMemory((s as Spec<'rsi'>).period) },
  roc: { create: (s) => new ROC((s as Spec<'roc'>).period), candles: false },
  bollinger: {
    create: (s) => new BollingerBands((s as Spec<'bollinger'>).period, (s as Spec<'bollinger'>).stdDev),
    candles: false,
    output: bands,
  },
  macd: {
    create: (s) => {
      const m = s as Spec<'macd'>;
      return new MACD(new EMA(m.fast), new EMA(m.slow), new EMA(m.signal));
    },
    candles: false,
    output: (r: { macd: number; signal: number; histogram: number }) => Object.freeze({ macd: r.macd, signal: r.signal, histogram: r.histogram }),
    memory: (s) => emaMemory((s as Spec<'macd'>).slow) + emaMemory((s as Spec<'macd'>).signal),
  },
  atr: { create: (s) => new ATR((s as Spec<'atr'>).period), candles: true, memory: (s) => wilderMemory((s as Spec<'atr'>).period) },
  cci: { create: (s) => new CCI((s as Spec<'cci'>).period), candles: true },
  // Wilder-smoothed directional movement, then the DX smoothed again.
  adx: { create: (s) => new ADX((s as Spec<'adx'>).period), candles: true, memory: (s) => 2 * wilderMemory((s as Spec<'adx'>).period) },
  donchian: { create: (s) => new DonchianChannels((s as Spec<'donchian'>).period), candles: true, output: bands },
  stochastic: {
    create: (s) => {
      const st = s as Spec<'stochastic'>;
      return new StochasticOscillator({ kPeriod: st.k, dPeriod: st.d, kSlowingPeriod: st.smooth });
    },
    candles: true,
    output: (r: { stochK: number; stochD: number }) => Object.freeze({ k: r.stochK, d: r.stochD }),
  },
};

/** The price `input` takes from a candle. */
export function priceOf(input: IndicatorInput, c: Candle): number {
  switch (input) {
    case 'close':
      return c.close;
    case 'open':
      return c.open;
    case 'high':
      return c.high;
    case 'low':
      return c.low;
    case 'hl2':
      return (c.high + c.low) / 2;
    case 'typical':
      return (c.high + c.low + c.close) / 3;
    case 'ohlc4':
      return (c.open + c.high + c.low + c.close) / 4;
  }
}

/** The input's name on a spec (candle-shaped kinds have none). */
export function inputOf(spec: ParsedIndicatorSpec): IndicatorInput | null {
  return 'input' in spec ? spec.input : null;
}

/**
 * The library's current result, or null while it is not warm (`updates`: how many inputs it was given). Never
 * throws: readiness is asked only once the library can answer it without an exception.
 */
export function resultOf(kind: IndicatorKindInfo, spec: ParsedIndicatorSpec, lib: LibraryIndicator, updates: number): unknown {
  if (kind.settled !== undefined && updates < kind.settled(spec)) return null;
  if (!lib.isStable) return null;
  return lib.getResultOrThrow();
}
