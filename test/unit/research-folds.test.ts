import { describe, expect, it } from 'vitest';
import { FoldPlanSchema, walkForwardFolds } from '../../src/research/folds.js';
import { validateParamSpace } from '../../src/research/param-space.js';
import { parameterStability, ParameterStabilitySchema, walkForwardEfficiency } from '../../src/research/stability.js';

const D = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const days = (plan: ReturnType<typeof walkForwardFolds>) =>
  plan.folds.map((f) => [(f.train.from - T0) / D, (f.train.to - T0) / D, (f.test.from - T0) / D, (f.test.to - T0) / D]);

describe('walk-forward folds', () => {
  it('rolling, back to back: train 30 d, test 7 d over 60 d', () => {
    const plan = walkForwardFolds({ from: T0, to: T0 + 60 * D, train: 30 * D, test: 7 * D });
    expect(FoldPlanSchema.parse(plan)).toEqual(plan);
    expect(days(plan)).toEqual([
      [0, 30, 30, 37],
      [7, 37, 37, 44],
      [14, 44, 44, 51],
      [21, 51, 51, 58],
    ]);
    expect(plan.folds.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(plan.holdout).toBeNull();
  });

  it('anchored with purge, a step shorter than the test, and a holdout no window reaches', () => {
    const plan = walkForwardFolds({ from: T0, to: T0 + 60 * D, train: 20 * D, test: 10 * D, step: 5 * D, anchored: true, purge: D, holdout: 14 * D });
    expect(days(plan)).toEqual([
      [0, 20, 21, 31],
      [0, 25, 26, 36],
      [0, 30, 31, 41],
      [0, 35, 36, 46],
    ]);
    expect(plan.holdout).toEqual({ from: T0 + 46 * D, to: T0 + 60 * D });
  });

  it('no fold when the span is shorter than train + purge + test; bad options are errors', () => {
    expect(walkForwardFolds({ from: T0, to: T0 + 10 * D, train: 7 * D, test: 7 * D }).folds).toEqual([]);
    expect(() => walkForwardFolds({ from: T0, to: T0, train: D, test: D })).toThrow(/from must be before to/);
    expect(() => walkForwardFolds({ from: T0, to: T0 + D, train: 0, test: D })).toThrow();
  });
});

describe('parameter stability and walk-forward efficiency', () => {
  const space = validateParamSpace('s', {
    fast: { type: 'int', min: 0, max: 100, default: 10 },
    mode: { type: 'choice', values: ['a', 'b', 'c'], default: 'a' },
  });

  it('spread of the chosen values per parameter', () => {
    const s = parameterStability(space, [
      { fast: 10, mode: 'b' },
      { fast: 20, mode: 'a' },
      { fast: 30, mode: 'b' },
      { fast: 20, mode: 'c' },
    ]);
    expect(ParameterStabilitySchema.parse(s)).toEqual(s);
    expect(s.folds).toBe(4);
    expect(s.parameters.fast).toEqual({ type: 'int', min: 10, max: 30, mean: 20, stdDev: Math.sqrt(50), rangeShare: 0.2, distinct: 3 });
    expect(s.parameters.mode).toEqual({ type: 'choice', mode: 'b', modeShare: 0.5, distinct: 3 });
    expect(parameterStability(space, [])).toEqual({ folds: 0, parameters: {} });
  });

  it('efficiency = out-of-sample / in-sample annualised return, null with the reason when undefined', () => {
    expect(walkForwardEfficiency(12, 40)).toEqual({ efficiency: 0.3, reason: null, outOfSample: 12, inSample: 40 });
    expect(walkForwardEfficiency(12, 0)).toMatchObject({ efficiency: null, reason: 'in-sample annualised return is 0' });
    expect(walkForwardEfficiency(null, 5)).toMatchObject({ efficiency: null, reason: 'out-of-sample annualised return is null' });
  });
});
