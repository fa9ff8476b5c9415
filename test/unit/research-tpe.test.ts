import { describe, expect, it } from 'vitest';
import { validateParamSpace, type Parameterised, type ParamAssignment } from '../../src/research/param-space.js';
import { randomCandidates } from '../../src/research/samplers.js';
import { tpeCandidates, type TpeObservation } from '../../src/research/tpe.js';

/** A smooth bowl with its top at x = 0.3, y = −0.5, on a log-scaled third axis with its top at lr = 0.01. */
const strategy: Parameterised = {
  name: 'bowl',
  params: validateParamSpace('bowl', {
    x: { type: 'float', min: -2, max: 2, default: 0 },
    y: { type: 'float', min: -2, max: 2, default: 0 },
    lr: { type: 'float', min: 1e-4, max: 1, log: true, default: 0.1 },
  }),
};
const objective = (p: ParamAssignment) => -(((p.x as number) - 0.3) ** 2) - ((p.y as number) + 0.5) ** 2 - 0.25 * (Math.log10(p.lr as number) + 2) ** 2;

function runTpe(seed: string, budget: number, batch: number): TpeObservation[] {
  const history: TpeObservation[] = [];
  while (history.length < budget) {
    for (const params of tpeCandidates(strategy, history, { count: batch, seed })) history.push({ params, objective: objective(params) });
  }
  return history;
}

const best = (h: readonly TpeObservation[]) => Math.max(...h.map((t) => t.objective!));

describe('TPE sampler', () => {
  it('beats random search on a smooth function with the same budget, seed by seed', () => {
    const seeds = ['1', '2', '3', '4', '5', '6'];
    let tpeRegret = 0;
    let randomRegret = 0;
    let wins = 0;
    for (const seed of seeds) {
      const tpe = -best(runTpe(seed, 80, 4));
      const random = -Math.max(...randomCandidates(strategy, { trials: 80, seed }).map(objective));
      tpeRegret += tpe;
      randomRegret += random;
      if (tpe < random) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(5);
    expect(tpeRegret).toBeLessThan(randomRegret / 3);
  });

  it('is deterministic: same seed and history, same proposals', () => {
    expect(runTpe('9', 40, 5)).toEqual(runTpe('9', 40, 5));
    expect(runTpe('9', 40, 5)).not.toEqual(runTpe('10', 40, 5));
  });

  it('on a small discrete space: distinct proposals, steps, choices and the constraint respected, near the optimum', () => {
    const discrete: Parameterised = {
      name: 'd',
      params: validateParamSpace('d', {
        n: { type: 'int', min: 0, max: 40, step: 2, default: 0 },
        mode: { type: 'choice', values: ['a', 'b', 'c'], default: 'a' },
      }),
      constraint: (p) => p.n !== 20,
    };
    // Minimise: best at n = 10 with mode c.
    const f = (p: ParamAssignment) => Math.abs((p.n as number) - 10) + (p.mode === 'c' ? 0 : 30);
    const history: TpeObservation[] = [];
    while (history.length < 40) {
      const batch = tpeCandidates(discrete, history, { count: 4, seed: 's', direction: 'minimize', startupTrials: 8 });
      if (batch.length === 0) break;
      for (const params of batch) history.push({ params, objective: f(params) });
    }
    const keys = history.map((h) => `${h.params.n}/${h.params.mode}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const h of history) {
      expect((h.params.n as number) % 2).toBe(0);
      expect(h.params.n).not.toBe(20);
    }
    expect(history).toHaveLength(40);
    // Within 2 of the optimum: mode c found, n within one step of 10.
    expect(Math.min(...history.map((h) => h.objective!))).toBeLessThanOrEqual(2);
  });

  it('honours the direction: the same history gives the good choice when minimising, the others when maximising', () => {
    const choices: Parameterised = {
      name: 'c',
      params: validateParamSpace('c', {
        n: { type: 'int', min: 0, max: 100, default: 0 },
        mode: { type: 'choice', values: ['a', 'b', 'c'], default: 'a' },
      }),
    };
    const f = (p: ParamAssignment) => (p.n as number) / 100 + (p.mode === 'c' ? 0 : 10);
    const history = randomCandidates(choices, { trials: 30, seed: 'h' }).map((params) => ({ params, objective: f(params) }));
    const share = (direction: 'minimize' | 'maximize') =>
      tpeCandidates(choices, history, { count: 10, seed: 'h', direction, startupTrials: 10 }).filter((p) => p.mode === 'c').length;
    expect(share('minimize')).toBeGreaterThanOrEqual(7);
    expect(share('maximize')).toBeLessThanOrEqual(3);
  });

  it('failed trials (null objective) count as bad, never as good', () => {
    const h: TpeObservation[] = randomCandidates(strategy, { trials: 12, seed: 'f' }).map((params, i) => ({ params, objective: i < 6 ? null : objective(params) }));
    const next = tpeCandidates(strategy, h, { count: 3, seed: 'f', startupTrials: 5 });
    expect(next).toHaveLength(3);
  });
});
