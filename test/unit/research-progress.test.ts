import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Strategy } from '../../src/core/strategy.js';
import { formatEta, trialProgressLine, TrialProgress } from '../../src/cli/trial-progress.js';
import { optimize } from '../../src/pipelines/optimize.js';
import { walkForward } from '../../src/pipelines/walk-forward.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';

const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
let candles: Candle[];
beforeAll(async () => {
  const all = await lastValueFrom(syntheticCandles({ symbols: ['AAA/USD'], start: START, count: 4 * 1440, seed: 5 }).pipe(toArray()));
  candles = all.map((c) => c.candle);
});
const source = () => replayCandles({ 'AAA/USD': candles });

const flip: Strategy = {
  name: 'flip',
  interval: '15m',
  params: { n: { type: 'int', min: 1, max: 5, default: 2 }, t: { type: 'choice', values: [5, 10], default: 5 } },
  getSignal(ctx) {
    const c = ctx.candles('15m', (ctx.params.n as number) + 1);
    if (c.length < 2) return null;
    const t = (ctx.params.t as number) / 1000;
    const p = ctx.price;
    return c.at(-1)!.close > c[0]!.close
      ? { position: 'long', priceTakeProfit: p * (1 + t), priceStopLoss: p * (1 - t), minuteEstimatedTime: 60 }
      : null;
  },
};

/** A stream that keeps what was written, and a clock the test moves. */
function fakeTerminal() {
  const writes: string[] = [];
  let now = 1_000;
  return { out: { write: (s: string) => writes.push(s) }, writes, clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('trial progress bar', () => {
  it('draws done/total, rate and ETA from the clock it is given, in place on one line, and erases itself', () => {
    const t = fakeTerminal();
    const bar = new TrialProgress(t.out, t.clock);
    bar.update(0, 40);
    t.advance(4_000);
    bar.update(12, 40);
    t.advance(196_000);
    bar.update(40, 40);
    bar.done();
    expect(t.writes).toEqual([
      `\r[${'-'.repeat(30)}]  0/40 trials\x1b[K`,
      `\r[${'#'.repeat(9)}${'-'.repeat(21)}] 12/40 trials  3.0 trials/s  ETA 9s\x1b[K`,
      `\r[${'#'.repeat(30)}] 40/40 trials  0.2 trials/s  ETA 0s\x1b[K`,
      '\r\x1b[K',
    ]);
  });

  it('without a total: the count and the rate; rates of 10 and more without decimals; ETAs in minutes and hours', () => {
    expect(trialProgressLine(25, null, 2_000)).toBe('25 trials  13 trials/s');
    expect(trialProgressLine(0, null, 0)).toBe('0 trials');
    expect(formatEta(65_000)).toBe('1m 05s');
    expect(formatEta(7_380_000)).toBe('2h 03m');
    expect(trialProgressLine(1, 1000, 60_000)).toContain('ETA 16h 39m');
  });

  it('is not drawn on a stream that is not a terminal', () => {
    expect(TrialProgress.for({ isTTY: false } as NodeJS.WriteStream)).toBeNull();
    expect(TrialProgress.for({ isTTY: true, write: () => true } as unknown as NodeJS.WriteStream)).toBeInstanceOf(TrialProgress);
  });

  it('optimize reports every batch against the known total: grid, random and tpe', async () => {
    for (const sampler of ['grid', 'random', 'tpe'] as const) {
      const seen: [number, number | null][] = [];
      const study = await optimize({ source: source(), strategy: flip, sampler, trials: sampler === 'grid' ? undefined : 7, batchSize: 3, runs: 20, onProgress: (d, t) => seen.push([d, t]) });
      const total = study.trials.length;
      expect(total).toBe(sampler === 'grid' ? 10 : 7);
      const steps = [0, ...Array.from({ length: Math.ceil(total / 3) }, (_, i) => Math.min(total, 3 * (i + 1)))];
      expect(seen).toEqual(steps.map((d) => [d, total]));
    }
  });

  it('walk-forward counts the trials of every fold against the whole analysis', async () => {
    const seen: [number, number | null][] = [];
    const wf = await walkForward({ source: source(), strategy: flip, sampler: 'random', trials: 4, batchSize: 4, runs: 20, train: DAY, test: DAY, onProgress: (d, t) => seen.push([d, t]) });
    // Four days of candles: two folds of one train day and one test day fit.
    expect(wf.folds.length).toBe(2);
    expect(seen).toEqual([[0, 8], [4, 8], [4, 8], [8, 8]]);
  });
});
