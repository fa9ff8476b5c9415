import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Strategy, StrategyContext } from '../../src/core/strategy.js';
import { optimize, rankTrials, type Trial } from '../../src/pipelines/optimize.js';
import { walkForward, foldSeed } from '../../src/pipelines/walk-forward.js';
import { parseRequirement } from '../../src/research/requirements.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import type { BacktestStatistics } from '../../src/core/stats.js';

const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
let candles: Candle[];
beforeAll(async () => {
  const all = await lastValueFrom(syntheticCandles({ symbols: ['AAA/USD'], start: START, count: 6 * 1440, seed: 5 }).pipe(toArray()));
  candles = all.map((c) => c.candle);
});
const source = () => replayCandles({ 'AAA/USD': candles });

/** Follows `n` rising (or falling) 5m closes with target `t` ‰. */
const momentum: Strategy = {
  name: 'mom',
  interval: '5m',
  params: {
    n: { type: 'int', min: 2, max: 5, default: 3 },
    t: { type: 'choice', values: [5, 10, 20], default: 10 },
    slow: { type: 'int', min: 2, max: 4, default: 3 },
  },
  constraint: (p) => (p.slow as number) <= (p.n as number),
  getSignal(ctx: StrategyContext) {
    const n = ctx.params.n as number;
    const t = (ctx.params.t as number) / 1000;
    const c = ctx.candles('5m', n);
    if (c.length < n) return null;
    const up = c.every((x, i) => i === 0 || x.close > c[i - 1]!.close);
    const down = c.every((x, i) => i === 0 || x.close < c[i - 1]!.close);
    if (!up && !down) return null;
    const p = ctx.price;
    return up
      ? { position: 'long', priceTakeProfit: p * (1 + t), priceStopLoss: p * (1 - t), minuteEstimatedTime: 120 }
      : { position: 'short', priceTakeProfit: p * (1 - t), priceStopLoss: p * (1 + t), minuteEstimatedTime: 120 };
  },
};

describe('optimize (RESEARCH §3)', () => {
  it('grid: every point the constraint accepts, in lexicographic order, none of the rejected counted', async () => {
    const study = await optimize({ source: source(), strategy: momentum, sampler: 'grid', batchSize: 7, runs: 50 });
    // n 2..5 × t 3 values × slow 2..4 with slow ≤ n: (1 + 2 + 3 + 3) · 3 = 27.
    expect(study.trials).toHaveLength(27);
    expect(study.trials.slice(0, 4).map((t) => t.name)).toEqual(['mom[n=2,t=5,slow=2]', 'mom[n=2,t=10,slow=2]', 'mom[n=2,t=20,slow=2]', 'mom[n=3,t=5,slow=2]']);
    expect(study.trials.map((t) => t.id)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    expect(study.returns!.trials).toEqual(study.trials.map((t) => t.name));
    expect(study.overfitting!.dsr.N).toBe(27);
    expect(study.best!.id).toBe(study.ranking[0]);
  });

  it('the same trials whatever the batch size (grid, random); tpe is fixed by seed and batch size', async () => {
    const a = await optimize({ source: source(), strategy: momentum, sampler: 'random', trials: 9, seed: 4, batchSize: 2, runs: 50 });
    const b = await optimize({ source: source(), strategy: momentum, sampler: 'random', trials: 9, seed: 4, batchSize: 9, runs: 50 });
    expect(b.trials).toEqual(a.trials);
    expect(b.overfitting).toEqual(a.overfitting);
    const t1 = await optimize({ source: source(), strategy: momentum, sampler: 'tpe', trials: 12, seed: 4, batchSize: 4, runs: 50 });
    const t2 = await optimize({ source: source(), strategy: momentum, sampler: 'tpe', trials: 12, seed: 4, batchSize: 4, runs: 50 });
    expect(t2.trials).toEqual(t1.trials);
    expect(new Set(t1.trials.map((t) => t.name)).size).toBe(12);
  });

  it('a trial failing a requirement is ranked last but still counted', async () => {
    const all = await optimize({ source: source(), strategy: momentum, sampler: 'grid', runs: 50 });
    const counts = all.trials.map((t) => t.statistics.totalSignals).sort((x, y) => x - y);
    const cut = counts[Math.floor(counts.length / 2)]!;
    const study = await optimize({ source: source(), strategy: momentum, sampler: 'grid', runs: 50, requirements: [parseRequirement(`totalSignals>${cut}`)] });
    expect(study.trials).toHaveLength(27);
    expect(study.overfitting!.dsr.N).toBe(27);
    const infeasible = study.trials.filter((t) => !t.feasible).map((t) => t.id);
    expect(infeasible.length).toBeGreaterThan(0);
    expect(study.ranking.slice(-infeasible.length)).toEqual(infeasible);
    expect(study.best!.statistics.totalSignals).toBeGreaterThan(cut);
  });

  it('ranks by objective with direction, ties by trial order, nulls last', () => {
    const t = (id: number, objective: number | null, feasible = true): Trial => ({ id, name: `s${id}`, params: {}, statistics: {} as BacktestStatistics, objective, feasible, errors: 0 });
    const trials = [t(1, 0.5), t(2, null), t(3, 0.9), t(4, 0.5), t(5, 2, false)];
    expect(rankTrials(trials, 'sharpeRatio')).toEqual([3, 1, 4, 2, 5]);
    expect(rankTrials(trials, 'maxDrawdown')).toEqual([1, 4, 3, 2, 5]);
  });
});

describe('walkForward (RESEARCH §4)', () => {
  it('folds optimise with seed + fold index and count every trial', async () => {
    expect(foldSeed('7', 2)).toBe('9');
    expect(foldSeed('abc', 2)).toBe('abc:2');
    const wf = await walkForward({ source: source(), strategy: momentum, sampler: 'random', trials: 4, seed: 1, train: 2 * DAY, test: DAY, runs: 50, splits: 2 });
    expect(wf.folds.length).toBe(3);
    expect(wf.overfitting.trials).toBe(12);
    const fold1 = await optimize({ source: source(), strategy: momentum, sampler: 'random', trials: 4, seed: '2', timerange: wf.folds[1]!.train, runs: 50, splits: 2 });
    expect(wf.folds[1]!.params).toEqual(fold1.best?.params ?? null);
    expect(wf.stability.folds).toBe(wf.folds.filter((f) => f.params !== null).length);
  });
});
