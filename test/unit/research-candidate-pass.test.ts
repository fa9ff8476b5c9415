import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import type { SymbolCandle } from '../../src/core/candle.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import { StatisticsAccumulator } from '../../src/core/stats.js';
import { withParams, type Strategy, type StrategyContext } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { runCandidates } from '../../src/pipelines/candidate-pass.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';

const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
let data: Record<string, Candle[]>;
beforeAll(async () => {
  const all = await lastValueFrom(syntheticCandles({ symbols: ['AAA/USD', 'BBB/USD'], start: START, count: 3 * 1440, seed: 21 }).pipe(toArray()));
  data = { 'AAA/USD': [], 'BBB/USD': [] };
  for (const c of all) data[c.symbol]!.push(c.candle);
});
const both = () => replayCandles(data);
const one = () => replayCandles({ 'AAA/USD': data['AAA/USD']! });
/** Not a tickflow source: no gate, candles keep coming while an async strategy thinks (steps queue behind it). */
const ungated = (): Observable<SymbolCandle> => from(data['AAA/USD']!.map((candle) => ({ symbol: 'AAA/USD', interval: '1m' as const, candle })));

function signal(ctx: StrategyContext) {
  const n = ctx.params.n as number;
  const c = ctx.candles(ctx.params.tf as '5m' | '15m', n + 1);
  if (c.length < n + 1) return null;
  const t = (ctx.params.t as number) / 1000;
  const p = ctx.price;
  const up = c.at(-1)!.close > c[0]!.close;
  // Some signals are scheduled (entry away from the price), some open at once, some expire; stakes vary with equity.
  const priceOpen = ctx.params.wait ? (up ? p * 0.999 : p * 1.001) : undefined;
  return up
    ? { position: 'long' as const, priceOpen, priceTakeProfit: p * (1 + t), priceStopLoss: p * (1 - t), minuteEstimatedTime: 60 }
    : { position: 'short' as const, priceOpen, priceTakeProfit: p * (1 - t), priceStopLoss: p * (1 + t), minuteEstimatedTime: 60 };
}

const sync: Strategy = {
  name: 'swing',
  interval: '15m',
  params: { n: { type: 'int', min: 2, max: 12, default: 4 }, t: { type: 'choice', values: [6, 12, 25], default: 12 }, tf: { type: 'choice', values: ['5m', '15m'], default: '5m' }, wait: { type: 'choice', values: [false, true], default: false } },
  getSignal: signal,
};
/** The same strategy answering through a Promise every other time: steps wait and queue behind it. */
let calls = 0;
const async: Strategy = { ...sync, name: 'swing-async', getSignal: (ctx) => (++calls % 2 === 0 ? Promise.resolve(signal(ctx)) : signal(ctx)) };

/** Every event of a candidate's lone backtest, and its closed events. */
async function lone(source: Observable<SymbolCandle>, candidate: Strategy, timerange?: { from: number | null; to: number | null }) {
  const events = await lastValueFrom(backtest({ source, strategies: [candidate], config: {}, timerange }).pipe(toArray()));
  const own = events.filter((e): e is SignalEvent => e.strategy === candidate.name);
  const acc = new StatisticsAccumulator();
  for (const e of own) acc.add(e);
  return { closed: own.filter((e) => e.action === 'closed'), errors: own.filter((e) => e.action === 'error').length, statistics: acc.result() };
}

const space = [
  { n: 2, t: 6, tf: '5m', wait: false },
  { n: 7, t: 25, tf: '15m', wait: true },
  { n: 12, t: 12, tf: '5m', wait: true },
  { n: 3, t: 25, tf: '15m', wait: false },
];

describe('one pass over many candidates (RESEARCH §3)', () => {
  for (const [label, strategy] of [['sync', sync], ['async', async]] as const) {
    for (const [what, source] of [['one symbol', one], ['two symbols', both], ['an ungated Observable', ungated]] as const) {
      it(`${label} strategy, ${what}: each candidate's closed events and statistics equal its lone backtest's`, async () => {
        const candidates = space.map((p) => withParams(strategy, p));
        const window = { from: START + DAY / 2, to: START + 5 * DAY / 2 };
        for (const timerange of [undefined, window]) {
          const results = await runCandidates(source(), candidates, resolveConfig({}), timerange);
          for (const c of candidates) {
            const alone = await lone(source(), c, timerange);
            const r = results.get(c.name)!;
            expect(alone.closed.length).toBeGreaterThan(0);
            expect(r.closed).toEqual(alone.closed);
            expect(r.errors).toBe(alone.errors);
            expect(r.statistics).toEqual(alone.statistics);
          }
        }
      });
    }
  }

  it('invalid signals count as the candidate\'s error events; no candidates, no results', async () => {
    const broken: Strategy = { ...sync, name: 'broken', getSignal: () => ({ position: 'long', priceTakeProfit: NaN, priceStopLoss: 1, minuteEstimatedTime: 1 }) };
    const results = await runCandidates(one(), [withParams(broken, {})], resolveConfig({}), undefined);
    expect([...results.values()][0]!.errors).toBeGreaterThan(0);
    expect(await runCandidates(one(), [], resolveConfig({}), undefined)).toEqual(new Map());
  });
});
