import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { LaneStep } from '../../src/core/lane.js';
import type { Strategy } from '../../src/core/strategy.js';
import { quantile, SampleAccumulator } from '../../src/core/sample-stats.js';
import { enterSignalStage } from '../../src/operators/enter-signal.js';
import { PerformanceRecorder, profileStages, type StageProfiler } from '../../src/operators/profiler.js';
import { laneStages } from '../../src/operators/run-lane.js';
import type { LaneStage } from '../../src/engine/stage.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { performanceJsonReport, performanceMarkdownReport } from '../../src/sinks/reports/performance.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import smaCross from '../../examples/sma-cross.mjs';
import { collect } from '../support/collect.js';

/** A clock that advances by the given steps, one per read: each timed call lasts (second read − first read). */
function scriptedClock(durations: readonly number[]): () => number {
  const reads: number[] = [];
  let t = 0;
  for (const d of durations) reads.push(t, (t += d));
  let i = 0;
  return () => reads[i++]!;
}

describe('quantile and SampleAccumulator', () => {
  it('quantile interpolates linearly between ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.99)).toBe(10);
    expect(quantile([], 0.5)).toBeNull();
    const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(hundred, 0.95)).toBeCloseTo(95.05, 12);
    expect(quantile(hundred, 0)).toBe(1);
    expect(quantile(hundred, 1)).toBe(100);
  });

  it('exact statistics on a known sample set (1 … 100, added shuffled)', () => {
    const acc = new SampleAccumulator(4096);
    for (let i = 0; i < 100; i++) acc.add(((i * 37) % 100) + 1);
    const r = acc.result();
    expect(r.count).toBe(100);
    expect(r.total).toBe(5050);
    expect(r.mean).toBeCloseTo(50.5, 12);
    expect(r.min).toBe(1);
    expect(r.max).toBe(100);
    expect(r.stdDev).toBeCloseTo(Math.sqrt((100 * 100 - 1) / 12), 10);
    expect(r.p50).toBeCloseTo(50.5, 12);
    expect(r.p95).toBeCloseTo(95.05, 12);
    expect(r.p99).toBeCloseTo(99.01, 12);
    expect(r.exactPercentiles).toBe(true);
  });

  it('nothing recorded: nulls, not NaN', () => {
    expect(new SampleAccumulator().result()).toEqual({
      count: 0, total: 0, mean: null, min: null, max: null, stdDev: null, p50: null, p95: null, p99: null, exactPercentiles: true,
    });
  });

  it('bounded memory: past the capacity, percentiles come from a deterministic uniform reservoir', () => {
    const run = () => {
      const acc = new SampleAccumulator(1000);
      for (let i = 0; i < 200_000; i++) acc.add((i * 7919) % 100_000);
      return acc.result();
    };
    const r = run();
    expect(r.count).toBe(200_000);
    expect(r.min).toBe(0);
    expect(r.max).toBe(99_999);
    expect(r.exactPercentiles).toBe(false);
    // A uniform sample of 1000 from a uniform 0…99 999: within a few percent of the true quantiles.
    expect(r.p50!).toBeGreaterThan(45_000);
    expect(r.p50!).toBeLessThan(55_000);
    expect(r.p95!).toBeGreaterThan(92_000);
    expect(r.p99!).toBeGreaterThan(97_000);
    expect(run()).toEqual(r);
  });

  it('rejects a capacity that cannot hold a sample', () => {
    expect(() => new SampleAccumulator(0)).toThrow(/capacity must be a positive integer/);
  });
});

describe('PerformanceRecorder', () => {
  it('times each call of a wrapped stage with its clock and passes its result through', () => {
    const profiler = new PerformanceRecorder({ clock: scriptedClock([1, 2, 3, 4]) });
    const resume = { then: () => undefined };
    const calls: LaneStep[] = [];
    const stage: LaneStage = (step) => {
      calls.push(step);
      return calls.length === 4 ? resume : undefined;
    };
    const timed = profiler.wrap('s', stage);
    const step = {} as LaneStep;
    expect([timed(step), timed(step), timed(step), timed(step)]).toEqual([undefined, undefined, undefined, resume]);
    expect(calls).toHaveLength(4);
    const [timing] = profiler.report().stages;
    expect(timing).toMatchObject({ stage: 's', count: 4, total: 10, mean: 2.5, min: 1, max: 4, p50: 2.5 });
  });

  it('without a profiler nothing is wrapped: laneStages returns the very same stage functions', () => {
    const config = resolveConfig();
    const gate: LaneStage = () => undefined;
    // Anonymous stages (arrow functions in an array have no name) are named by their position.
    const [anonymous, after] = [() => undefined, () => undefined] as LaneStage[];
    const plain = laneStages(smaCross as Strategy, config, { gates: [gate, anonymous!], after: [after!] });
    expect(plain[4]).toBe(gate);
    expect(plain[5]).toBe(anonymous);
    expect(plain[6]).toBe(enterSignalStage);
    expect(plain[7]).toBe(after);
    const stages = [gate, after!];
    expect(profileStages(stages, ['a', 'b'], undefined)).toBe(stages);

    const wrapped: string[] = [];
    const spy: StageProfiler = { wrap: (name, s) => (wrapped.push(name), (step) => s(step)) };
    const profiled = laneStages(smaCross as Strategy, config, { gates: [gate, anonymous!], after: [after!], profiler: spy });
    expect(profiled).toHaveLength(plain.length);
    expect(profiled[4]).not.toBe(gate);
    expect(profiled[6]).not.toBe(enterSignalStage);
    expect(wrapped).toEqual(['activateScheduled', 'monitorSignal', 'partialMilestones', 'askStrategy sma-cross', 'gate', 'gate 2', 'enterSignal', 'after 1']);
  });

  it('a profiled backtest emits the same events and times every lane step', async () => {
    const source = () => syntheticCandles({ symbols: ['AAA/USDT', 'BBB/USDT'], start: Date.UTC(2024, 0, 1), count: 3000, seed: 7 });
    const strategies = [smaCross as Strategy, { ...(smaCross as Strategy), name: 'sma-2' }];
    const plain: SignalEvent[] = await collect(backtest({ source: source(), strategies }));
    const profiler = new PerformanceRecorder();
    const profiled: SignalEvent[] = await collect(backtest({ source: source(), strategies, profiler }));
    expect(profiled).toEqual(plain);
    expect(plain.some((e) => e.action === 'closed')).toBe(true);

    const report = profiler.report();
    expect(report.stages.map((s) => s.stage)).toEqual([
      'accountMark', 'activateScheduled', 'monitorSignal', 'accountSettle', 'partialMilestones', 'askStrategy sma-cross', 'accountEntry',
      'enterSignal', 'askStrategy sma-2',
    ]);
    const byName = new Map(report.stages.map((s) => [s.stage, s]));
    // Every step of every lane went through every stage once: 2 symbols × 3000 candles per strategy.
    expect(byName.get('monitorSignal')!.count).toBe(2 * 2 * 3000);
    expect(byName.get('askStrategy sma-cross')!.count).toBe(2 * 3000);
    for (const s of report.stages) {
      expect(s.min!).toBeGreaterThanOrEqual(0);
      expect(s.min!).toBeLessThanOrEqual(s.p50!);
      expect(s.p50!).toBeLessThanOrEqual(s.p95!);
      expect(s.p95!).toBeLessThanOrEqual(s.p99!);
      expect(s.p99!).toBeLessThanOrEqual(s.max!);
    }
  });
});

describe('performance reports', () => {
  const profiler = new PerformanceRecorder({ clock: scriptedClock([0.001, 0.003, 0.002]) });
  const step = {} as LaneStep;
  const a = profiler.wrap('monitorSignal', () => undefined);
  const b = profiler.wrap('askStrategy x|y', () => undefined);
  a(step);
  a(step);
  b(step);
  const report = profiler.report();

  it('markdown: one row per stage in microseconds, the share of the total, and a total row', () => {
    const md = performanceMarkdownReport(report);
    expect(md).toContain('# Performance report');
    expect(md).toContain('| monitorSignal | 2 | 0.004 | 66.7% | 2.000 | 1.000 | 2.000 | 2.900 | 2.980 | 3.000 | 1.000 |');
    expect(md).toContain('| askStrategy x\\|y | 1 | 0.002 | 33.3% |');
    expect(md).toContain('| All stages | 3 | 0.006 | 100.0% |');
    expect(md).toContain('Percentiles are exact');
  });

  it('JSON: milliseconds per call with the statistics of each stage', () => {
    const json = JSON.parse(performanceJsonReport(report));
    expect(json.unit).toBe('ms');
    expect(json.reservoirSize).toBe(4096);
    expect(json.stages[0]).toMatchObject({ stage: 'monitorSignal', count: 2, min: 0.001, max: 0.003 });
    expect(json.stages[0].mean).toBeCloseTo(0.002, 12);
  });

  it('says so when nothing was timed', () => {
    expect(performanceMarkdownReport(new PerformanceRecorder().report())).toContain('No stage was timed');
  });
});
