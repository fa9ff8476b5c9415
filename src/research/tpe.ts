import { z } from 'zod';
import { Sfc32 } from '../sources/prng.js';
import { normalCdf } from './normal.js';
import { latticeValue, satisfiesConstraint, valueKey, type Parameterised, type ParamAssignment, type ParamSpec, type ParamValue } from './param-space.js';
import { drawValue } from './samplers.js';

export const TpeOptionsSchema = z.object({
  /** How many new candidates to propose now (one batch, evaluated together). */
  count: z.number().int().positive(),
  seed: z.string().default('0'),
  /** Trials with an objective before the model is used; until then proposals are uniform random. */
  startupTrials: z.number().int().nonnegative().default(10),
  /** Share of the scored trials that make the "good" density l(x); the rest make g(x). */
  gamma: z.number().gt(0).lt(1).default(0.25),
  /** Draws from l(x) per parameter, of which the one with the best l/g is proposed. */
  candidates: z.number().int().positive().default(24),
  direction: z.enum(['maximize', 'minimize']).default('maximize'),
  /** Draws allowed per wanted candidate before stopping short (repeats and constraint failures are drawn again). */
  attemptsPerTrial: z.number().int().positive().default(100),
});
export type TpeOptions = z.input<typeof TpeOptionsSchema>;

/** A finished trial as TPE reads it: its parameters and objective (null: failed or constrained, ranked last). */
export interface TpeObservation {
  readonly params: ParamAssignment;
  readonly objective: number | null;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011; RESEARCH §3), univariate like hyperopt and Optuna's
 * default: the trials so far are split at quantile `gamma` of the objective into good and bad; per parameter, a
 * Parzen density of each (truncated normals on the numeric ones, in log space for `log` floats, with a wide prior
 * component; smoothed counts on choices) is fitted, `candidates` values are drawn from the good one and the value
 * maximising l(x)/g(x) is proposed. Until `startupTrials` trials have an objective, proposals are uniform random.
 *
 * A batch (`count` > 1) is proposed with a constant liar: each proposal joins the bad trials for the rest of the
 * batch, so a batch spreads out instead of repeating one guess. Deterministic: the proposals depend only on the
 * seed, the space, the history (in order) and `count`, so a study that proposes batches of a fixed size gives the
 * same trials whatever runs them. Repeats of a tried (or already proposed) candidate are drawn again.
 *
 * @example
 * ```ts
 * const history: TpeObservation[] = [];
 * for (let round = 0; round < 10; round++) {
 *   for (const params of tpeCandidates(strategy, history, { count: 8, seed: '7' })) {
 *     history.push({ params, objective: evaluate(params) });
 *   }
 * }
 * ```
 */
export function tpeCandidates(strategy: Parameterised, history: readonly TpeObservation[], options: TpeOptions): ParamAssignment[] {
  const o = TpeOptionsSchema.parse(options);
  const entries = Object.entries(strategy.params ?? {});
  const rng = Sfc32.from(o.seed, 'tpe', strategy.name, String(history.length));
  const keyOf = (p: ParamAssignment) => entries.map(([name]) => valueKey(p[name]!)).join('\u0000');
  const seen = new Set(history.map((h) => keyOf(h.params)));

  const scored = history.filter((h) => h.objective !== null && Number.isFinite(h.objective));
  const sign = o.direction === 'maximize' ? -1 : 1;
  // Stable sort: equal objectives keep trial order, so the split is deterministic.
  const ranked = scored.map((h, i) => ({ h, i })).sort((a, b) => sign * (a.h.objective! - b.h.objective!) || a.i - b.i).map((x) => x.h);
  const failed = history.filter((h) => !(h.objective !== null && Number.isFinite(h.objective)));
  const useModel = scored.length >= Math.max(1, o.startupTrials);
  const nGood = Math.max(1, Math.ceil(o.gamma * ranked.length));
  const good = ranked.slice(0, nGood).map((h) => h.params);
  const bad = [...ranked.slice(nGood), ...failed].map((h) => h.params);

  const out: ParamAssignment[] = [];
  let misses = 0;
  for (let attempt = 0; out.length < o.count && attempt < o.attemptsPerTrial * o.count; attempt++) {
    // On a small discrete space the model keeps proposing what was tried: after a few repeats, explore at random.
    const model = useModel && bad.length > 0 && misses < 8;
    const point: Record<string, ParamValue> = {};
    for (const [name, spec] of entries) {
      point[name] = model ? proposeValue(spec, good.map((p) => p[name]!), bad.map((p) => p[name]!), o.candidates, rng) : drawValue(spec, rng);
    }
    const params = Object.freeze(point);
    const key = keyOf(params);
    misses++;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!satisfiesConstraint(strategy, params)) continue;
    out.push(params);
    misses = 0;
    // Constant liar: a proposal still pending counts as bad, so the rest of the batch looks elsewhere.
    bad.push(params);
  }
  return out;
}

function proposeValue(spec: ParamSpec, good: ParamValue[], bad: ParamValue[], candidates: number, rng: Sfc32): ParamValue {
  if (spec.type === 'choice') return proposeChoice(spec.values, good, bad, candidates, rng);
  const log = spec.type === 'float' && spec.log === true;
  const t = (v: number) => (log ? Math.log(v) : v);
  const lo = t(spec.min);
  const hi = t(spec.max);
  if (hi === lo) return spec.min;
  const l = parzen(good.map((v) => t(v as number)), lo, hi);
  const g = parzen(bad.map((v) => t(v as number)), lo, hi);
  const step = spec.step ?? (spec.type === 'int' ? 1 : undefined);
  let best: number = spec.default;
  let bestScore = -Infinity;
  for (let c = 0; c < candidates; c++) {
    let x = sample(l, lo, hi, rng);
    let v = log ? Math.exp(x) : x;
    if (step !== undefined) {
      const i = Math.min(Math.round((spec.max - spec.min) / step), Math.max(0, Math.round((v - spec.min) / step)));
      v = spec.type === 'int' ? spec.min + i * step : latticeValue(spec.min, step, i);
      x = t(v);
    } else {
      v = Math.min(spec.max, Math.max(spec.min, v));
    }
    const score = Math.log(density(l, lo, hi, x)) - Math.log(density(g, lo, hi, x));
    if (score > bestScore) {
      bestScore = score;
      best = v;
    }
  }
  return best;
}

/** Mixture of truncated normals: one per observation plus a prior centred on the range with σ = the range. */
interface Parzen {
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
}

function parzen(values: number[], lo: number, hi: number): Parzen {
  const range = hi - lo;
  const points = [...values.map((v) => Math.min(hi, Math.max(lo, v)))].sort((a, b) => a - b);
  const n = points.length;
  const mu = new Float64Array(n + 1);
  const sigma = new Float64Array(n + 1);
  // hyperopt's bandwidth: the larger gap to a neighbour (the bounds count as neighbours), clipped.
  const minSigma = range / Math.min(100, 1 + n);
  for (let i = 0; i < n; i++) {
    const left = points[i]! - (i > 0 ? points[i - 1]! : lo);
    const right = (i < n - 1 ? points[i + 1]! : hi) - points[i]!;
    mu[i] = points[i]!;
    sigma[i] = Math.min(range, Math.max(minSigma, left, right));
  }
  mu[n] = (lo + hi) / 2;
  sigma[n] = range;
  return { mu, sigma };
}

function sample(p: Parzen, lo: number, hi: number, rng: Sfc32): number {
  const k = Math.floor(rng.uniform() * p.mu.length);
  for (let tries = 0; tries < 32; tries++) {
    const x = p.mu[k]! + p.sigma[k]! * rng.normal();
    if (x >= lo && x <= hi) return x;
  }
  return Math.min(hi, Math.max(lo, p.mu[k]!));
}

function density(p: Parzen, lo: number, hi: number, x: number): number {
  let sum = 0;
  for (let k = 0; k < p.mu.length; k++) {
    const m = p.mu[k]!;
    const s = p.sigma[k]!;
    const mass = normalCdf((hi - m) / s) - normalCdf((lo - m) / s);
    const z = (x - m) / s;
    sum += Math.exp(-0.5 * z * z) / (s * mass);
  }
  return sum / p.mu.length + 1e-300;
}

function proposeChoice(values: readonly ParamValue[], good: ParamValue[], bad: ParamValue[], candidates: number, rng: Sfc32): ParamValue {
  const keys = values.map(valueKey);
  const weights = (observed: ParamValue[]) => {
    const w = keys.map(() => 1);
    for (const v of observed) {
      const i = keys.indexOf(valueKey(v));
      if (i >= 0) w[i]!++;
    }
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  };
  const l = weights(good);
  const g = weights(bad);
  let best = 0;
  let bestScore = -Infinity;
  for (let c = 0; c < candidates; c++) {
    let u = rng.uniform();
    let i = 0;
    while (i < l.length - 1 && u >= l[i]!) u -= l[i++]!;
    const score = Math.log(l[i]!) - Math.log(g[i]!);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return values[best]!;
}
