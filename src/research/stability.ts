import { z } from 'zod';
import { ChoiceValueSchema, valueKey, type ParamAssignment, type ParamSpace, type ParamValue } from './param-space.js';

export const NumericStabilitySchema = z.object({
  type: z.enum(['int', 'float']),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  /** Population standard deviation of the chosen values. */
  stdDev: z.number(),
  /** (max − min) of the chosen values over (max − min) of the space: 0 = the same every fold, 1 = the whole range. */
  rangeShare: z.number(),
  distinct: z.number().int(),
});
export const ChoiceStabilitySchema = z.object({
  type: z.literal('choice'),
  /** The most chosen value (ties: the earlier declared). */
  mode: ChoiceValueSchema,
  /** Share of folds that chose it. */
  modeShare: z.number(),
  distinct: z.number().int(),
});
export const ParameterStabilitySchema = z.object({
  folds: z.number().int().nonnegative(),
  parameters: z.record(z.string(), z.union([NumericStabilitySchema, ChoiceStabilitySchema])),
});
export type ParameterStability = z.infer<typeof ParameterStabilitySchema>;

/**
 * Parameter stability across walk-forward folds (RESEARCH §4): per parameter, the spread of the values the folds
 * chose. Numbers: range, mean, population std and the chosen range as a share of the declared one; choices: the
 * most chosen value and its share. A stable edge picks similar values fold after fold.
 *
 * @example
 * ```ts
 * parameterStability(space, folds.map((f) => f.params)).parameters.fast; // { min, max, mean, stdDev, rangeShare, … }
 * ```
 */
export function parameterStability(space: ParamSpace, chosen: readonly ParamAssignment[]): ParameterStability {
  const parameters: ParameterStability['parameters'] = {};
  if (chosen.length === 0) return { folds: 0, parameters };
  for (const [name, spec] of Object.entries(space)) {
    const values = chosen.map((p) => p[name]!);
    const distinct = new Set(values.map(valueKey)).size;
    if (spec.type === 'choice') {
      const counts = spec.values.map((v) => values.filter((x) => valueKey(x) === valueKey(v)).length);
      const top = counts.indexOf(Math.max(...counts));
      parameters[name] = { type: 'choice', mode: spec.values[top] as ParamValue, modeShare: counts[top]! / values.length, distinct };
      continue;
    }
    const xs = values as number[];
    const min = Math.min(...xs);
    const max = Math.max(...xs);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const stdDev = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    const span = spec.max - spec.min;
    parameters[name] = { type: spec.type, min, max, mean, stdDev, rangeShare: span === 0 ? 0 : (max - min) / span, distinct };
  }
  return { folds: chosen.length, parameters };
}

export const WalkForwardEfficiencySchema = z.object({
  efficiency: z.number().nullable(),
  reason: z.string().nullable(),
  outOfSample: z.number().nullable(),
  inSample: z.number().nullable(),
});
export type WalkForwardEfficiency = z.infer<typeof WalkForwardEfficiencySchema>;

/**
 * Walk-forward efficiency (RESEARCH §4): out-of-sample annualised return / in-sample annualised return, with both;
 * null with the reason when either is null or the in-sample one is 0 (or the ratio is not finite).
 *
 * @example
 * ```ts
 * walkForwardEfficiency(12, 40).efficiency; // 0.3: out of sample kept 30 % of the in-sample return
 * ```
 */
export function walkForwardEfficiency(outOfSample: number | null, inSample: number | null): WalkForwardEfficiency {
  const base = { outOfSample, inSample };
  if (outOfSample === null || inSample === null) return { efficiency: null, reason: `${outOfSample === null ? 'out-of-sample' : 'in-sample'} annualised return is null`, ...base };
  if (inSample === 0) return { efficiency: null, reason: 'in-sample annualised return is 0', ...base };
  const efficiency = outOfSample / inSample;
  return Number.isFinite(efficiency) ? { efficiency, reason: null, ...base } : { efficiency: null, reason: 'the ratio is not finite', ...base };
}
