import { describe, expect, it } from 'vitest';
import { objectiveNeighbourhood, NeighbourhoodSchema } from '../../src/research/neighbourhood.js';
import { validateParamSpace, type ParamAssignment } from '../../src/research/param-space.js';
import { gridCandidates } from '../../src/research/samplers.js';

const space = validateParamSpace('s', {
  fast: { type: 'int', min: 1, max: 9, default: 1 },
  slow: { type: 'int', min: 10, max: 50, step: 10, default: 10 },
  mode: { type: 'choice', values: ['a', 'b'], default: 'a' },
});
const strategy = { name: 's', params: space };
// A plateau around fast = 5, slow = 30 for mode a; mode b is worse everywhere.
const f = (p: ParamAssignment) => -Math.abs((p.fast as number) - 5) - Math.abs((p.slow as number) - 30) / 10 + (p.mode === 'a' ? 0 : -5);
const trials = [...gridCandidates(strategy)].map((params) => ({ params, objective: f(params) }));
const best = trials.reduce((x, y) => (y.objective! > x.objective! ? y : x));

describe('objective neighbourhood of the best', () => {
  it('the slice through the best, radius values either side, others held at the best', () => {
    expect(best.params).toEqual({ fast: 5, slow: 30, mode: 'a' });
    const view = objectiveNeighbourhood(space, trials, best.params, ['fast', 'slow'], 1);
    expect(NeighbourhoodSchema.parse(view)).toEqual(view);
    expect(view.values).toEqual([[4, 5, 6], [20, 30, 40]]);
    expect(view.objective).toEqual([
      [-2, -1, -2],
      [-1, 0, -1],
      [-2, -1, -2],
    ]);
  });

  it('clips at the edge of the space, orders choices by declaration, leaves untried cells null', () => {
    const sparse = trials.filter((t) => !(t.params.fast === 5 && t.params.mode === 'b'));
    const view = objectiveNeighbourhood(space, sparse, best.params, ['mode', 'fast'], 2);
    expect(view.values).toEqual([['a', 'b'], [3, 4, 5, 6, 7]]);
    expect(view.objective[1]).toEqual([-7, -6, null, -6, -7]);
    const edge = objectiveNeighbourhood(space, trials, { fast: 1, slow: 10, mode: 'a' }, ['fast', 'slow'], 1);
    expect(edge.values).toEqual([[1, 2], [10, 20]]);
  });

  it('unknown or equal axes are errors', () => {
    expect(() => objectiveNeighbourhood(space, trials, best.params, ['fast', 'speed'])).toThrow(/no parameter "speed"/);
    expect(() => objectiveNeighbourhood(space, trials, best.params, ['fast', 'fast'])).toThrow(/must differ/);
  });
});
