import { describe, expect, it } from 'vitest';
import { candidateName, validateParamSpace, type Parameterised } from '../../src/research/param-space.js';
import { gridCandidates, randomCandidates } from '../../src/research/samplers.js';

const strategy: Parameterised = {
  name: 'sma',
  params: validateParamSpace('sma', {
    fast: { type: 'int', min: 5, max: 15, step: 5, default: 5 },
    slow: { type: 'int', min: 10, max: 20, step: 10, default: 20 },
    kind: { type: 'choice', values: ['a', 'b'], default: 'a' },
  }),
  constraint: (p) => (p.fast as number) < (p.slow as number),
};

describe('grid sampler', () => {
  it('every point in lexicographic order of declaration, constraint applied', () => {
    const names = [...gridCandidates(strategy)].map((p) => candidateName('sma', strategy.params!, p));
    expect(names).toEqual([
      'sma[fast=5,slow=10,kind=a]',
      'sma[fast=5,slow=10,kind=b]',
      'sma[fast=5,slow=20,kind=a]',
      'sma[fast=5,slow=20,kind=b]',
      // fast=10, slow=10 fails fast < slow
      'sma[fast=10,slow=20,kind=a]',
      'sma[fast=10,slow=20,kind=b]',
      'sma[fast=15,slow=20,kind=a]',
      'sma[fast=15,slow=20,kind=b]',
    ]);
  });

  it('float steps give short lattice values; a float without step cannot be enumerated', () => {
    const floats = { name: 'f', params: validateParamSpace('f', { w: { type: 'float', min: 0.1, max: 0.5, step: 0.1, default: 0.1 } }) };
    expect([...gridCandidates(floats)].map((p) => p.w)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    const free = { name: 'f', params: validateParamSpace('f', { w: { type: 'float', min: 0, max: 1, default: 0 } }) };
    expect(() => [...gridCandidates(free)]).toThrow(/strategy "f", parameter "w": a float parameter needs a step/);
  });

  it('a strategy without parameters is one candidate', () => {
    expect([...gridCandidates({ name: 'plain' })]).toEqual([{}]);
  });
});

describe('random sampler', () => {
  const wide: Parameterised = {
    name: 'wide',
    params: validateParamSpace('wide', {
      n: { type: 'int', min: 0, max: 100, step: 4, default: 0 },
      lr: { type: 'float', min: 1e-4, max: 1, log: true, default: 0.01 },
      x: { type: 'float', min: -1, max: 1, default: 0 },
      q: { type: 'float', min: 0, max: 1, step: 0.25, default: 0 },
    }),
  };

  it('same seed, same candidates; another seed, others', () => {
    const a = randomCandidates(wide, { trials: 20, seed: '1' });
    expect(randomCandidates(wide, { trials: 20, seed: '1' })).toEqual(a);
    expect(randomCandidates(wide, { trials: 20, seed: '2' })).not.toEqual(a);
    // A larger budget extends the same sequence.
    expect(randomCandidates(wide, { trials: 30, seed: '1' }).slice(0, 20)).toEqual(a);
  });

  it('steps respected, log floats uniform in log space, plain floats uniform', () => {
    const c = randomCandidates(wide, { trials: 4000, seed: 'dist' });
    expect(c).toHaveLength(4000);
    for (const p of c) {
      expect((p.n as number) % 4).toBe(0);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(p.q);
    }
    const share = (f: (p: (typeof c)[number]) => boolean) => c.filter(f).length / c.length;
    // log-uniform on [1e-4, 1]: each decade holds a quarter.
    expect(share((p) => (p.lr as number) < 1e-3)).toBeGreaterThan(0.22);
    expect(share((p) => (p.lr as number) < 1e-3)).toBeLessThan(0.28);
    expect(share((p) => (p.lr as number) >= 0.1)).toBeGreaterThan(0.22);
    expect(share((p) => (p.x as number) < 0)).toBeGreaterThan(0.46);
    expect(share((p) => (p.x as number) < 0)).toBeLessThan(0.54);
    expect(share((p) => p.n === 0)).toBeGreaterThan(0.02); // 26 points: ~3.8 % each
    expect(share((p) => p.n === 100)).toBeGreaterThan(0.02);
  });

  it('distinct candidates, constraint applied, stops short when the space runs out', () => {
    const c = randomCandidates(strategy, { trials: 50, seed: 'x' });
    expect(c).toHaveLength(8);
    expect(new Set(c.map((p) => candidateName('sma', strategy.params!, p))).size).toBe(8);
    expect(c.every((p) => (p.fast as number) < (p.slow as number))).toBe(true);
  });
});
