/**
 * Every supported indicator, at every decision, equals trading-signals applied in batch to the closed candles
 * visible at that instant — aggregated here by the plain rule (clock-aligned buckets, a bucket is a candle once
 * `start + interval ≤ now`, whatever candles it got), independently of the engine's aggregator and of history.
 * Random 1m series with gaps (some across bucket boundaries), sync and async strategies (async answers queue the
 * later steps: their reads are late and must still see only their own past).
 */
import { lastValueFrom, Observable, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { intervalMs } from '../../src/core/intervals.js';
import type { Strategy, StrategyContext } from '../../src/core/strategy.js';
import { KINDS } from '../../src/indicators/catalog.js';
import { IndicatorSpecSchema, type IndicatorSpec, type ParsedIndicatorSpec } from '../../src/indicators/spec.js';
import { adx, atr, backtest, bollinger, cci, donchian, ema, macd, replayCandles, roc, rsi, sma, stochastic, wma } from '../../src/index.js';
import { Sfc32 } from '../../src/sources/prng.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 1);

function series(seed: number, count: number): Candle[] {
  const rng = Sfc32.from('indicators', String(seed));
  const out: Candle[] = [];
  let t = T0 + Math.floor(rng.uniform() * 20) * MIN;
  let prev = 100;
  for (let i = 0; i < count; i++) {
    const r = rng.uniform();
    // Gaps of 1 to 90 minutes: many cross 5m / 15m / 1h boundaries, some skip whole buckets.
    if (r < 0.06) t += (1 + Math.floor(rng.uniform() * 90)) * MIN;
    const close = prev * (1 + 0.004 * rng.normal());
    const open = prev;
    out.push({ timestamp: t, open, high: Math.max(open, close) * (1 + 0.002 * rng.uniform()), low: Math.min(open, close) * (1 - 0.002 * rng.uniform()), close, volume: rng.uniform() * 10 });
    prev = close;
    t += MIN;
  }
  return out;
}

const DECLARED: Record<string, IndicatorSpec> = {
  sma5: sma(5),
  sma3h: sma(3, '15m'),
  ema8: ema(8),
  ema4h: ema(4, { interval: '5m', input: 'typical' }),
  wma6: wma(6, { input: 'hl2' }),
  rsi7: rsi(7),
  rsi5m: rsi(4, '5m'),
  roc3: roc(3, { interval: '5m', input: 'ohlc4' }),
  bands: bollinger(10, 2),
  bands1h: bollinger(3, 1.5, '1h'),
  macd: macd(3, 6, 4),
  atr5: atr(5),
  atr15: atr(3, '15m'),
  cci6: cci(6),
  adx4: adx(4),
  channel: donchian(6, { interval: '5m', shift: 1 }),
  stoch: stochastic(5, 3, 2),
  lagged: sma(4, { shift: 2 }),
  laggedBands: bollinger(4, 2, { interval: '5m', shift: 3 }),
};

/** Closed candles of `ms` at `now` by the plain rule, oldest first. */
function closedAt(candles: readonly Candle[], ms: number, now: number): Candle[] {
  const out: Candle[] = [];
  for (const c of candles) {
    if (c.timestamp + MIN > now) break;
    const start = Math.floor(c.timestamp / ms) * ms;
    if (start + ms > now) break;
    const last = out[out.length - 1];
    if (last !== undefined && last.timestamp === start) {
      out[out.length - 1] = { ...last, high: Math.max(last.high, c.high), low: Math.min(last.low, c.low), close: c.close, volume: last.volume + c.volume };
    } else out.push(ms === MIN ? c : { ...c, timestamp: start });
  }
  return out;
}

function price(spec: ParsedIndicatorSpec, c: Candle): number {
  const input = 'input' in spec ? spec.input : 'close';
  return { close: c.close, open: c.open, high: c.high, low: c.low, hl2: (c.high + c.low) / 2, typical: (c.high + c.low + c.close) / 3, ohlc4: (c.open + c.high + c.low + c.close) / 4 }[input];
}

/** The library in batch: a fresh indicator fed every visible candle but the last `shift`, and its result. */
function batch(spec: ParsedIndicatorSpec, candles: readonly Candle[]): unknown {
  const kind = KINDS[spec.kind];
  const lib = kind.create(spec) as unknown as { update(x: unknown, replace: boolean): unknown; getResult(): unknown };
  const fed = candles.slice(0, Math.max(0, candles.length - spec.shift));
  for (const c of fed) lib.update(kind.candles ? c : price(spec, c), false);
  const r = fed.length === 0 ? null : lib.getResult();
  if (r === null || kind.output === undefined) return r;
  return kind.output(r as never);
}

function run(seed: number, async: boolean) {
  const candles = series(seed, 300);
  const parsed = Object.entries(DECLARED).map(([name, s]) => [name, IndicatorSpecSchema.parse(s)] as const);
  const seen: { now: number; values: Record<string, unknown> }[] = [];
  const read = (ctx: StrategyContext) => {
    const values: Record<string, unknown> = {};
    for (const [name] of parsed) values[name] = ctx.indicators[name];
    seen.push({ now: ctx.now, values });
  };
  const strategy: Strategy = {
    name: 'reads-everything',
    interval: '1m',
    indicators: () => DECLARED,
    getSignal: async
      ? (ctx) => {
          read(ctx);
          return Promise.resolve(null);
        }
      : (ctx) => {
          read(ctx);
          return null;
        },
  };
  // An Observable that is not a tickflow source is not paused by the run's gate: behind an async ask every later
  // candle is already in history (and in the indicators) when its step runs.
  const source = async ? new Observable<SymbolCandle>((s) => replayCandles({ X: candles }).subscribe(s)) : replayCandles({ X: candles });
  return { candles, parsed, seen, done: lastValueFrom(backtest({ source, strategies: [strategy], config: { historyCandles: 1000 } }).pipe(toArray())) };
}

describe('indicators: streaming values equal the library in batch on the closed candles visible at each decision', () => {
  for (const async of [false, true]) {
    it(`${async ? 'async' : 'sync'} strategy, 8 random series with gaps`, async () => {
      let compared = 0;
      let warm = 0;
      for (let seed = 1; seed <= 8; seed++) {
        const { candles, parsed, seen, done } = run(seed, async);
        await done;
        expect(seen.length).toBe(candles.length);
        for (const { now, values } of seen) {
          for (const [name, spec] of parsed) {
            const ms = spec.interval === undefined ? MIN : intervalMs(spec.interval);
            const expected = batch(spec, closedAt(candles, ms, now));
            expect(values[name], `seed ${seed}, ${name} at ${new Date(now).toISOString()}`).toEqual(expected);
            compared++;
            if (expected !== null) warm++;
          }
        }
      }
      // Most comparisons are of warm values, not nulls.
      expect(warm).toBeGreaterThan(compared * 0.8);
    });
  }
});
