import { lastValueFrom, Observable } from 'rxjs';
import { z } from 'zod';
import type { Candle, SymbolCandle } from '../core/candle.js';
import { formatPrice } from '../core/format.js';
import { INTERVAL_MS, IntervalSchema, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import type { TimeWindow } from '../research/folds.js';

export const SummaryOptionsSchema = z.strictObject({
  /** How many of the newest candles of each timeframe the tables show (timeframes in this order). */
  tables: z.partialRecord(IntervalSchema, z.number().int().positive()).default({ '1h': 24, '15m': 16, '5m': 12, '1m': 10 }),
  /** Price bands of the volume profile. */
  volumeBands: z.number().int().min(2).max(50).default(8),
});
export type SummaryOptions = z.input<typeof SummaryOptionsSchema>;

/** The candles of each symbol that close inside the window, oldest first, read in one pass of the source. */
export async function windowCandles(source: Observable<SymbolCandle>, window: TimeWindow): Promise<Map<string, { interval: Interval; candles: Candle[] }>> {
  const out = new Map<string, { interval: Interval; candles: Candle[] }>();
  await lastValueFrom(
    new Observable<void>((subscriber) =>
      source.subscribe({
        next: (c) => {
          const close = c.candle.timestamp + INTERVAL_MS[c.interval];
          if (close < window.from || close >= window.to) return;
          let entry = out.get(c.symbol);
          if (entry === undefined) out.set(c.symbol, (entry = { interval: c.interval, candles: [] }));
          entry.candles.push(c.candle);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          subscriber.next();
          subscriber.complete();
        },
      }),
    ),
  );
  return out;
}

/** Base candles into clock-aligned buckets of `ms` that closed by `until` (the engine's rule for `ctx.candles`). */
export function aggregate(candles: readonly Candle[], baseMs: number, ms: number, until: number): Candle[] {
  if (ms === baseMs) return candles.filter((c) => c.timestamp + baseMs <= until);
  const out: Candle[] = [];
  for (const c of candles) {
    const start = c.timestamp - (c.timestamp % ms);
    if (start + ms > until) break;
    const last = out.at(-1);
    if (last === undefined || last.timestamp !== start) out.push({ ...c, timestamp: start });
    else out[out.length - 1] = { timestamp: start, open: last.open, high: Math.max(last.high, c.high), low: Math.min(last.low, c.low), close: c.close, volume: last.volume + c.volume };
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(3)} %`;

function stdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

function table(candles: readonly Candle[]): string {
  const rows = candles.map((c) => `| ${isoTime(c.timestamp).slice(0, 16).replace('T', ' ')} | ${formatPrice(c.open)} | ${formatPrice(c.high)} | ${formatPrice(c.low)} | ${formatPrice(c.close)} | ${formatPrice(c.volume)} |`);
  return ['| open time (UTC) | open | high | low | close | volume |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/**
 * One symbol's training window for the prompt: statistics (return, volatility of hourly returns, range, volume
 * profile by price band) and the newest candles of each timeframe as markdown tables. Only candles inside the
 * window appear: the model never sees the test windows or the holdout.
 */
export function summarizeWindow(symbol: string, interval: Interval, candles: readonly Candle[], window: TimeWindow, options: SummaryOptions = {}): string {
  const o = SummaryOptionsSchema.parse(options);
  const baseMs = INTERVAL_MS[interval];
  const head = `### ${symbol}: ${isoTime(window.from)} … ${isoTime(window.to)} (${candles.length} candles of ${interval})`;
  if (candles.length === 0) return `${head}\n\nNo candles in this window.`;
  const first = candles[0]!;
  const last = candles.at(-1)!;
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  for (const c of candles) {
    if (c.high > high) high = c.high;
    if (c.low < low) low = c.low;
    volume += c.volume;
  }
  const hours = aggregate(candles, baseMs, Math.max(baseMs, INTERVAL_MS['1h']), window.to);
  const hourly = hours.slice(1).map((c, i) => Math.log(c.close / hours[i]!.close));
  const bands = new Array<number>(o.volumeBands).fill(0);
  const width = (high - low) / o.volumeBands;
  for (const c of candles) {
    const typical = (c.high + c.low + c.close) / 3;
    const band = width > 0 ? Math.min(o.volumeBands - 1, Math.floor((typical - low) / width)) : 0;
    bands[band]! += c.volume;
  }
  const profile = bands
    .map((v, i) => `| ${formatPrice(low + i * width)} … ${formatPrice(low + (i + 1) * width)} | ${volume > 0 ? ((v / volume) * 100).toFixed(1) : '0.0'} % |`)
    .reverse();
  const lines = [
    head,
    '',
    `- first open ${formatPrice(first.open)}, last close ${formatPrice(last.close)}: return ${pct(last.close / first.open - 1)}`,
    `- range: low ${formatPrice(low)}, high ${formatPrice(high)} (${pct(high / low - 1)} of the low)`,
    `- volatility: standard deviation of hourly log returns ${pct(stdDev(hourly))} over ${hourly.length} hours`,
    `- total volume ${formatPrice(volume)}`,
    '',
    'Volume profile (share of volume by price band, highest band first):',
    '',
    '| price band | volume share |',
    '|---|---|',
    ...profile,
  ];
  for (const [tf, count] of Object.entries(o.tables) as [Interval, number][]) {
    const ms = INTERVAL_MS[tf];
    if (ms < baseMs || ms % baseMs !== 0) continue;
    const series = aggregate(candles, baseMs, ms, window.to).slice(-count);
    lines.push('', `Last ${series.length} candles of ${tf}:`, '', table(series));
  }
  return lines.join('\n');
}
