import { z } from 'zod';
import { Sfc32 } from '../sources/prng.js';
import {
  latticeValue,
  ParamSpaceError,
  satisfiesConstraint,
  valueKey,
  type Parameterised,
  type ParamAssignment,
  type ParamSpec,
  type ParamValue,
} from './param-space.js';

/** The points of one parameter on a grid: every lattice point, every choice. Floats need a step. */
export function gridValues(strategy: string, name: string, spec: ParamSpec): ParamValue[] {
  if (spec.type === 'choice') return [...spec.values];
  const step = spec.step ?? (spec.type === 'int' ? 1 : undefined);
  if (step === undefined) throw new ParamSpaceError(strategy, name, 'a float parameter needs a step to be enumerated by the grid sampler');
  const count = Math.round((spec.max - spec.min) / step) + 1;
  return Array.from({ length: count }, (_, i) => (spec.type === 'int' ? spec.min + i * step : latticeValue(spec.min, step, i)));
}

/**
 * Every point of the space in lexicographic order of declaration (the first parameter varies slowest), skipping
 * those the constraint rejects. Lazy: a large grid is never materialised.
 *
 * @example
 * ```ts
 * for (const params of gridCandidates(strategy)) console.log(candidateName(strategy.name, strategy.params!, params));
 * ```
 */
export function* gridCandidates(strategy: Parameterised): Generator<ParamAssignment> {
  const entries = Object.entries(strategy.params ?? {});
  const axes = entries.map(([name, spec]) => gridValues(strategy.name, name, spec));
  if (axes.some((a) => a.length === 0)) return;
  const index = new Array<number>(axes.length).fill(0);
  for (;;) {
    const point: Record<string, ParamValue> = {};
    entries.forEach(([name], d) => (point[name] = axes[d]![index[d]!]!));
    const params = Object.freeze(point);
    if (satisfiesConstraint(strategy, params)) yield params;
    let d = axes.length - 1;
    while (d >= 0 && ++index[d]! === axes[d]!.length) index[d--] = 0;
    if (d < 0) return;
  }
}

export const RandomSamplerOptionsSchema = z.object({
  trials: z.number().int().nonnegative(),
  seed: z.string().default('0'),
  /** Draws allowed per wanted trial before giving up on a space (or constraint) with too few distinct points. */
  attemptsPerTrial: z.number().int().positive().default(100),
});
export type RandomSamplerOptions = z.input<typeof RandomSamplerOptionsSchema>;

/** One uniform draw from a parameter's space: lattice points equally likely, `log` floats uniform in log space. */
export function drawValue(spec: ParamSpec, rng: Sfc32): ParamValue {
  if (spec.type === 'choice') return spec.values[Math.floor(rng.uniform() * spec.values.length)]!;
  const step = spec.step ?? (spec.type === 'int' ? 1 : undefined);
  if (step !== undefined) {
    const count = Math.round((spec.max - spec.min) / step) + 1;
    const i = Math.floor(rng.uniform() * count);
    return spec.type === 'int' ? spec.min + i * step : latticeValue(spec.min, step, i);
  }
  const u = rng.uniform();
  if (spec.type === 'float' && spec.log) return Math.min(spec.max, Math.exp(Math.log(spec.min) + u * (Math.log(spec.max) - Math.log(spec.min))));
  return spec.min + u * (spec.max - spec.min);
}

/**
 * `trials` distinct candidates drawn uniformly (seeded: same seed, space and budget → same list), each satisfying
 * the constraint. A repeat is drawn again (two equal candidates would share a lane); when the space holds fewer
 * acceptable points than asked, the list stops short after `attemptsPerTrial · trials` draws.
 *
 * @example
 * ```ts
 * const batch = randomCandidates(strategy, { trials: 50, seed: '7' });
 * ```
 */
export function randomCandidates(strategy: Parameterised, options: RandomSamplerOptions): ParamAssignment[] {
  const { trials, seed, attemptsPerTrial } = RandomSamplerOptionsSchema.parse(options);
  const entries = Object.entries(strategy.params ?? {});
  const rng = Sfc32.from(seed, 'random-sampler', strategy.name);
  const seen = new Set<string>();
  const out: ParamAssignment[] = [];
  for (let attempt = 0; out.length < trials && attempt < attemptsPerTrial * trials; attempt++) {
    const point: Record<string, ParamValue> = {};
    for (const [name, spec] of entries) point[name] = drawValue(spec, rng);
    const key = entries.map(([name]) => valueKey(point[name]!)).join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    const params = Object.freeze(point);
    if (satisfiesConstraint(strategy, params)) out.push(params);
  }
  return out;
}
