import { lastValueFrom, Observable, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import { defineStrategy, StrategyError, withParams, type Strategy, type StrategyContext } from '../../src/core/strategy.js';
import { ParamSpaceError } from '../../src/core/param-space.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { walker } from '../../src/pipelines/walker.js';
import { computeStatistics } from '../../src/core/stats.js';
import type { WalkerResult } from '../../src/operators/walk.js';
import { parseTimeRange } from '../../src/pipelines/timerange.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { ownAccounts } from '../../src/pipelines/own-accounts.js';
import { resolveConfig } from '../../src/core/config.js';

const START = Date.UTC(2024, 0, 1);
const MIN = 60_000;
let candles: Candle[];
beforeAll(async () => {
  const all = await lastValueFrom(syntheticCandles({ symbols: ['AAA/USD'], start: START, count: 600, seed: 3 }).pipe(toArray()));
  candles = all.map((c) => c.candle);
});

const space = {
  n: { type: 'int', min: 2, max: 6, default: 3 },
  side: { type: 'choice', values: ['long', 'short'], default: 'long' },
} as const;

/** Opens a signal after `n` rising closes, records what it was shown. */
function recorder(seen: { now: number; params: unknown; history: number }[], withSpace = true): Strategy {
  return {
    name: 'rec',
    interval: '1m',
    ...(withSpace ? { params: space, constraint: (p: Readonly<Record<string, unknown>>) => (p.n as number) < 6 } : {}),
    getSignal(ctx: StrategyContext) {
      seen.push({ now: ctx.now, params: ctx.params, history: ctx.candles('1m', 1000).length });
      const n = (ctx.params.n as number | undefined) ?? 3;
      const c = ctx.candles('1m', n);
      if (c.length < n || !c.every((x, i) => i === 0 || x.close > c[i - 1]!.close)) return null;
      const p = ctx.price;
      return ctx.params.side === 'short'
        ? { position: 'short', priceTakeProfit: p * 0.99, priceStopLoss: p * 1.01, minuteEstimatedTime: 600 }
        : { position: 'long', priceTakeProfit: p * 1.01, priceStopLoss: p * 0.99, minuteEstimatedTime: 600 };
    },
  };
}

const run = (strategies: Strategy[], more: Partial<Parameters<typeof backtest>[0]> = {}, source: Observable<SymbolCandle> = replayCandles({ 'AAA/USD': candles })) =>
  lastValueFrom(backtest({ source, strategies, progressEvery: 1_000_000, ...more }).pipe(toArray()));

describe('parameters on a strategy (RESEARCH §1)', () => {
  it('ctx.params holds the defaults, frozen, and {} without a space', async () => {
    const seen: { now: number; params: unknown; history: number }[] = [];
    const plain: typeof seen = [];
    await run([recorder(seen), { ...recorder(plain, false), name: 'plain' }]);
    expect(seen[0]!.params).toEqual({ n: 3, side: 'long' });
    expect(Object.isFrozen(seen[0]!.params)).toBe(true);
    expect(plain[0]!.params).toEqual({});
    expect(Object.isFrozen(plain[0]!.params)).toBe(true);
  });

  it('a candidate runs as NAME[k=v,…] with its values, beside another candidate, its events its own', async () => {
    const seenA: { now: number; params: unknown; history: number }[] = [];
    const seenB: typeof seenA = [];
    const a = withParams(recorder(seenA), { n: 2 });
    const b = withParams(recorder(seenB), { n: 4, side: 'short' });
    expect(a.name).toBe('rec[n=2,side=long]');
    expect(b.name).toBe('rec[n=4,side=short]');
    // Side by side as an optimisation runs them: each candidate on its own account (one shared account would couple
    // their stakes, SEMANTICS §12).
    const both = await run([a, b], { lanes: { account: ownAccounts(resolveConfig()) } });
    expect(seenA[0]!.params).toEqual({ n: 2, side: 'long' });
    expect(seenB[0]!.params).toEqual({ n: 4, side: 'short' });
    const alone = await run([withParams(recorder([]), { n: 4, side: 'short' })]);
    const of = (events: SignalEvent[], name: string) => events.filter((e) => e.strategy === name && e.action !== 'progress' && e.action !== 'done');
    expect(of(alone, b.name).length).toBeGreaterThan(0);
    expect(of(both, b.name)).toEqual(of(alone, b.name));
  });

  it('a bad space or value is one error naming the strategy, the parameter and the rule', () => {
    const bad = { ...recorder([]), params: { n: { type: 'int', min: 5, max: 2, default: 3 } } } as unknown as Strategy;
    expect(() => defineStrategy(bad, 'm.mjs')).toThrow(StrategyError);
    expect(() => defineStrategy(bad, 'm.mjs')).toThrow('strategy "rec", parameter "n": min 5 > max 2');
    const unknownType = { ...recorder([]), params: { n: { type: 'bool', default: true } } } as unknown as Strategy;
    expect(() => defineStrategy(unknownType, 'm.mjs')).toThrow('parameter "n": unknown type "bool"');
    expect(() => withParams(recorder([]), { n: 9 })).toThrow(ParamSpaceError);
    expect(() => withParams(recorder([]), { n: 9 })).toThrow('parameter "n": value 9 is outside 2..6');
  });
});

describe('time ranges (RESEARCH §2)', () => {
  const FROM = START + 100 * MIN;
  const TO = START + 200 * MIN;

  for (const route of ['tickflow source', 'any Observable'] as const) {
    it(`1m data (${route}): the candles opening in [FROM − 1m, TO − 1m) make the window's steps, with warm history`, async () => {
      const seen: { now: number; params: unknown; history: number }[] = [];
      const replay = replayCandles({ 'AAA/USD': candles });
      const source = route === 'tickflow source' ? replay : new Observable<SymbolCandle>((s) => replay.subscribe(s));
      const events = await run([{ ...recorder(seen), getSignal: (ctx: StrategyContext) => void seen.push({ now: ctx.now, params: ctx.params, history: ctx.candles('1m', 1000).length }) }], { timerange: { from: FROM, to: TO } }, source);
      expect(seen[0]!.now).toBe(FROM);
      expect(seen.at(-1)!.now).toBe(TO - MIN);
      expect(seen).toHaveLength(100);
      // Warm-up: the 100 candles closing at or before FROM are all in the history at FROM.
      expect(seen[0]!.history).toBe(100);
      // Candles read: those closing before TO (the one opening at TO − 1m closes at TO and is not read).
      const done = events.find((e) => e.action === 'done');
      expect(done && done.action === 'done' ? done.processed : null).toBe(199);
    });
  }

  it('nothing opens or is monitored before FROM, and open signals close time_expired at the window end', async () => {
    const events = await run([recorder([])], { timerange: { from: FROM, to: TO } });
    const signals = events.filter((e) => e.action !== 'progress' && e.action !== 'done');
    expect(signals.length).toBeGreaterThan(0);
    for (const e of signals) expect(e.now).toBeGreaterThanOrEqual(FROM);
    for (const e of signals) expect(e.now).toBeLessThan(TO);
    const opened = signals.filter((e) => e.action === 'opened').length;
    const closed = signals.filter((e) => e.action === 'closed');
    expect(closed).toHaveLength(opened);
    const last = closed.at(-1)!;
    expect(last.action === 'closed' && last.closeReason).toBe('time_expired');
    expect(last.now).toBe(TO - MIN);
  });

  it('the same window gives the same events whatever comes after TO', async () => {
    const whole = await run([recorder([])], { timerange: { from: FROM, to: TO } });
    const cut = await run([recorder([])], { timerange: { from: FROM, to: TO } }, replayCandles({ 'AAA/USD': candles.slice(0, 260) }));
    expect(cut).toEqual(whole);
  });

  it('the walker over a window ranks each candidate by the statistics of its backtest over that window', async () => {
    const a = withParams(recorder([]), { n: 2 });
    const b = withParams(recorder([]), { n: 3, side: 'short' });
    const emitted = await lastValueFrom(walker({ source: replayCandles({ 'AAA/USD': candles }), strategies: [a, b], timerange: { from: FROM, to: TO } }).pipe(toArray()));
    const result = emitted.find((e): e is WalkerResult & { type: 'result' } => e.type === 'result')!;
    for (const s of [a, b]) {
      let account: unknown;
      const alone = await run([s], { timerange: { from: FROM, to: TO }, onAccount: (o) => o.kind === 'stats' && (account = o.stats) });
      const ranked = result.strategies.find((r) => r.strategy === s.name)!;
      // Per-trade statistics as the lone backtest's, and the portfolio of its own account (SEMANTICS §12).
      const { portfolio, ...perTrade } = ranked.statistics as typeof ranked.statistics & { portfolio?: unknown };
      expect(perTrade).toEqual(computeStatistics(alone));
      expect(portfolio).toEqual(account);
      expect(ranked.statistics.totalSignals).toBeGreaterThan(0);
    }
  });

  it('parses FROM..TO as ISO dates or epoch ms, either side open', () => {
    expect(parseTimeRange('2018-01-25..2018-01-27')).toEqual({ from: Date.UTC(2018, 0, 25), to: Date.UTC(2018, 0, 27) });
    expect(parseTimeRange('2018-01-25T12:00..')).toEqual({ from: Date.UTC(2018, 0, 25, 12), to: null });
    expect(parseTimeRange('..1516838400000')).toEqual({ from: null, to: 1516838400000 });
    expect(() => parseTimeRange('2018-01-27..2018-01-25')).toThrow('is not before TO');
    expect(() => parseTimeRange('yesterday..')).toThrow('"yesterday" is not an ISO-8601 date or epoch milliseconds');
  });
});
