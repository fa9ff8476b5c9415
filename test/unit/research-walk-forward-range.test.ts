import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Strategy } from '../../src/core/strategy.js';
import { evaluateCandidates } from '../../src/pipelines/optimize.js';
import { walkForward } from '../../src/pipelines/walk-forward.js';
import { resolveConfig } from '../../src/core/config.js';
import { withParams } from '../../src/core/strategy.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';

const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const HOUR = 3_600_000;
let candles: Candle[];
beforeAll(async () => {
  const all = await lastValueFrom(syntheticCandles({ symbols: ['AAA/USD'], start: START, count: 8 * 1440, seed: 9 }).pipe(toArray()));
  candles = all.map((c) => c.candle);
});
const source = () => replayCandles({ 'AAA/USD': candles });

/** Every decision it is asked for: the instant and how much 15m history it saw (it asks for 12 candles). */
function recording(asked: { now: number; history: number }[]): Strategy {
  return {
    name: 'rec',
    interval: '15m',
    params: { n: { type: 'int', min: 2, max: 6, default: 3 }, t: { type: 'choice', values: [5, 10], default: 5 } },
    getSignal(ctx) {
      const h = ctx.candles('15m', 12);
      asked.push({ now: ctx.now, history: h.length });
      const n = ctx.params.n as number;
      if (h.length < n + 1) return null;
      const t = (ctx.params.t as number) / 1000;
      const p = ctx.price;
      return h.at(-1)!.close > h.at(-1 - n)!.close
        ? { position: 'long', priceTakeProfit: p * (1 + t), priceStopLoss: p * (1 - t), minuteEstimatedTime: 90 }
        : { position: 'short', priceTakeProfit: p * (1 - t), priceStopLoss: p * (1 + t), minuteEstimatedTime: 90 };
    },
  };
}

describe('walk-forward inside a time range (RESEARCH §2, §4)', () => {
  it('plans the folds and the holdout inside FROM..TO; decisions only inside; history warm at FROM; a fold equals its windows run alone', async () => {
    const FROM = START + 2 * DAY;
    const TO = START + 6 * DAY + 7 * HOUR;
    const asked: { now: number; history: number }[] = [];
    const strategy = recording(asked);
    const wf = await walkForward({ source: source(), strategy, sampler: 'random', trials: 4, seed: 2, batchSize: 4, runs: 20, splits: 2, train: DAY, test: DAY, holdout: 6 * HOUR, timerange: { from: FROM, to: TO } });

    expect(wf.timerange).toEqual({ from: FROM, to: TO });
    // The first 1m close at or after FROM is FROM itself; the last one before TO is TO − 1m.
    expect(wf.span).toEqual({ from: FROM, to: TO - 60_000 + 1 });
    expect(wf.folds.map((f) => [f.train.from - FROM, f.test.from - FROM].map((ms) => ms / DAY))).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(wf.holdout!.window).toEqual({ from: TO - 60_000 + 1 - 6 * HOUR, to: TO - 60_000 + 1 });
    for (const f of wf.folds) expect(f.test.to).toBeLessThanOrEqual(wf.holdout!.window.from);

    // No strategy was asked before FROM or at/after TO, and at FROM its history was already full (warm-up).
    expect(Math.min(...asked.map((a) => a.now))).toBe(FROM);
    expect(Math.max(...asked.map((a) => a.now))).toBeLessThan(TO);
    const atFrom = asked.filter((a) => a.now === FROM);
    expect(atFrom.length).toBeGreaterThan(0);
    expect(atFrom.every((a) => a.history === 12)).toBe(true);

    // A fold's test result is that of its chosen candidate run alone on the test window, warm-up included.
    const fold = wf.folds.find((f) => f.params !== null && (f.testStatistics?.totalSignals ?? 0) > 0)!;
    expect(fold).toBeDefined();
    const candidate = withParams(strategy, fold.params!);
    const alone = (await evaluateCandidates(source(), [candidate], resolveConfig({}), fold.test)).get(candidate.name)!;
    expect(alone.statistics).toEqual(fold.testStatistics);
  });

  it('without a range the folds start at the data', async () => {
    const wf = await walkForward({ source: source(), strategy: recording([]), sampler: 'random', trials: 2, seed: 2, runs: 20, splits: 2, train: 3 * DAY, test: 2 * DAY });
    expect(wf.timerange).toBeNull();
    expect(wf.folds[0]!.train.from).toBe(START + 60_000);
  });
});
