import { lastValueFrom, Observable, tap, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Strategy, StrategyContext } from '../../src/core/strategy.js';
import { TradeMetricSchema, type TradeMetric } from '../../src/core/walker-rank.js';
import type { WalkerEvent, WalkerResult } from '../../src/operators/walk.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { heat } from '../../src/pipelines/heat.js';
import { walker } from '../../src/pipelines/walker.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';

const START = Date.UTC(2024, 0, 1);
const SYMBOLS = ['AAA/USD', 'BBB/USD'];

/** Trend or counter-trend on the last `n` closed 5m candles, with its own targets. */
function momentum(name: string, n: number, target: number, follow: boolean): Strategy {
  return {
    name,
    interval: '5m',
    getSignal(ctx: StrategyContext) {
      const c = ctx.candles('5m', n);
      if (c.length < n) return null;
      const up = c.every((x, i) => i === 0 || x.close > c[i - 1]!.close);
      const down = c.every((x, i) => i === 0 || x.close < c[i - 1]!.close);
      if (!up && !down) return null;
      const long = up === follow;
      const p = ctx.price;
      return long
        ? { position: 'long', priceTakeProfit: p * (1 + target), priceStopLoss: p * (1 - target), minuteEstimatedTime: 90 }
        : { position: 'short', priceTakeProfit: p * (1 - target), priceStopLoss: p * (1 + target), minuteEstimatedTime: 90 };
    },
  };
}
const never: Strategy = { name: 'never', interval: '1h', getSignal: () => null };
const strategies = [momentum('trend-3', 3, 0.01, true), momentum('revert-3', 3, 0.008, false), never, momentum('trend-4', 4, 0.015, true)];

let data: Record<string, Candle[]>;
beforeAll(async () => {
  const all = await lastValueFrom(syntheticCandles({ symbols: SYMBOLS, start: START, count: 5 * 1440, seed: 11 }).pipe(toArray()));
  data = Object.fromEntries(SYMBOLS.map((s) => [s, all.filter((c) => c.symbol === s).map((c) => c.candle)]));
});

/** A source that counts how often it is subscribed to and how many candles it emits. */
function counted(): { source: Observable<SymbolCandle>; subscriptions: () => number; candles: () => number } {
  let subscriptions = 0;
  let candles = 0;
  const inner = replayCandles(data);
  const source = new Observable<SymbolCandle>((subscriber) => {
    subscriptions++;
    return inner.pipe(tap(() => candles++)).subscribe(subscriber);
  });
  return { source, subscriptions: () => subscriptions, candles: () => candles };
}

/** Statistics recomputed here from the closed events, independently of the engine's accumulators. */
function independent(events: readonly SignalEvent[], strategy: string): Record<TradeMetric, number | null> {
  const closed = events.filter((e) => e.action === 'closed' && e.strategy === strategy);
  const pnls = closed.map((e) => (e.action === 'closed' ? e.pnl.pnlPercentage : 0));
  const minutes = closed.map((e) => (e.action === 'closed' ? e.durationMinutes : 0));
  const n = pnls.length;
  if (n === 0) return Object.fromEntries(TradeMetricSchema.options.map((m) => [m, null])) as Record<TradeMetric, null>;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  const avg = sum(pnls) / n;
  const sd = Math.sqrt(sum(pnls.map((p) => (p - avg) ** 2)) / n);
  const sharpe = sd === 0 ? 0 : avg / sd;
  let cumulative = 0;
  let peak = 0;
  let drawdown = 0;
  for (const p of pnls) {
    cumulative += p;
    peak = Math.max(peak, cumulative);
    drawdown = Math.max(drawdown, peak - cumulative);
  }
  const days = sum(minutes) / n / 1440;
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    sharpeRatio: sharpe,
    annualizedSharpeRatio: sharpe * Math.sqrt(365),
    winRate: (wins.length / n) * 100,
    totalPnl: sum(pnls),
    certaintyRatio: losses.length === 0 ? 0 : finite(sum(wins) / Math.max(wins.length, 1) / Math.abs(sum(losses) / losses.length)),
    avgPnl: avg,
    expectedYearlyReturns: days === 0 ? 0 : (avg * 365) / days,
    profitFactor: finite(sum(wins) / Math.abs(sum(losses))),
    maxDrawdown: drawdown,
  };
}

async function run(metric: TradeMetric): Promise<{ events: SignalEvent[]; out: WalkerEvent[]; src: ReturnType<typeof counted> }> {
  const src = counted();
  const events: SignalEvent[] = [];
  const out = await lastValueFrom(walker({ source: src.source, strategies, metric, events: tap((e) => events.push(e)) }).pipe(toArray()));
  return { events, out, src };
}

describe('walker', () => {
  it('reads the source once for all strategies, and each strategy gets exactly its own backtest events', async () => {
    const { events, src } = await run('sharpeRatio');
    expect(src.subscriptions()).toBe(1);
    expect(src.candles()).toBe(SYMBOLS.length * 5 * 1440);
    for (const s of strategies) {
      const alone = await lastValueFrom(backtest({ source: replayCandles(data), strategies: [s] }).pipe(toArray()));
      expect(events.filter((e) => e.strategy === s.name)).toEqual(alone);
    }
    expect(events.filter((e) => e.action === 'closed').length).toBeGreaterThan(20);
  });

  it.each(TradeMetricSchema.options)('ranking by %s agrees with statistics recomputed from its own events', async (metric) => {
    const { events, out } = await run(metric);
    const result = out[out.length - 1] as WalkerResult;
    expect(result.type).toBe('result');
    expect(result.metric).toBe(metric);
    const values = strategies.map((s, index) => ({ name: s.name, index, value: independent(events, s.name)[metric] }));
    for (const v of values) {
      const ranked = result.strategies.find((r) => r.strategy === v.name)!;
      if (v.value === null) expect(ranked.value).toBeNull();
      else expect(ranked.value).toBeCloseTo(v.value, 9);
    }
    const sign = metric === 'maxDrawdown' ? 1 : -1;
    const expected = [...values].sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      const d = sign * (a.value - b.value);
      return Math.abs(d) > 1e-12 ? d : a.index - b.index;
    });
    expect(result.strategies.map((r) => r.strategy)).toEqual(expected.map((v) => v.name));
    expect(result.strategies.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(result.bestStrategy).toBe(expected[0]!.name);
    // The strategy that never trades has no value for any metric, so it ranks last and never wins.
    expect(result.strategies[3]!.strategy).toBe('never');
  });

  it('emits a progress event per strategy, in the order given, then the result', async () => {
    const { out } = await run('totalPnl');
    expect(out.map((e) => (e.type === 'progress' ? `${e.strategy} ${e.finished}/${e.total}` : e.type))).toEqual([
      'trend-3 1/4',
      'revert-3 2/4',
      'never 3/4',
      'trend-4 4/4',
      'result',
    ]);
    const last = out[3]!;
    const result = out[4] as WalkerResult;
    expect(last.type === 'progress' && last.bestStrategy).toBe(result.bestStrategy);
  });

  it('invalid options name the input', () => {
    expect(() => walker({ source: replayCandles(data), strategies: [] })).toThrow(/walker options: 'strategies': give at least one strategy/);
    expect(() => walker({ source: replayCandles(data), strategies, metric: 'omega' as never })).toThrow(/walker options: 'metric'/);
    expect(() => walker({ source: [] as never, strategies })).toThrow(/'source': must be an Observable/);
  });
});

describe('heat pipeline', () => {
  it('per-symbol rows sorted by Sharpe with totals, equal to the statistics of the same events', async () => {
    const events: SignalEvent[] = [];
    const h = await lastValueFrom(heat({ source: replayCandles(data), strategies: strategies[0]!, events: tap((e) => events.push(e)) }));
    expect(h.rows.map((r) => r.symbol).sort()).toEqual(SYMBOLS);
    const sharpe = h.rows.map((r) => r.statistics.sharpeRatio!);
    expect(sharpe[0]!).toBeGreaterThanOrEqual(sharpe[1]!);
    for (const row of h.rows) {
      const own = independent(events.filter((e) => e.symbol === row.symbol), 'trend-3');
      expect(row.statistics.sharpeRatio).toBeCloseTo(own.sharpeRatio!, 9);
      expect(row.statistics.totalPnl).toBeCloseTo(own.totalPnl!, 9);
    }
    const all = independent(events, 'trend-3');
    expect(h.totals.symbols).toBe(2);
    expect(h.totals.statistics.totalPnl).toBeCloseTo(all.totalPnl!, 9);
    expect(h.totals.statistics.maxDrawdown).toBeCloseTo(all.maxDrawdown!, 9);
  });
});
