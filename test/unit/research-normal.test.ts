import { describe, expect, it } from 'vitest';
import { normalCdf, normalInverseCdf } from '../../src/research/normal.js';

// Reference values computed with mpmath at 30 digits (mp.ncdf, sqrt(2)·erfinv(2p − 1)).
const CDF: [number, number][] = [
  [-37, 5.72557122252457682e-300],
  [-20, 2.75362411860623370e-89],
  [-10, 7.6198530241605260e-24],
  [-5, 2.86651571879193912e-7],
  [-3.5, 2.32629079035525036e-4],
  [-3, 1.3498980316300945e-3],
  [-2, 0.0227501319481792072],
  [-1, 0.158655253931457051],
  [-0.5, 0.308537538725986896],
  [0, 0.5],
  [0.3, 0.617911422188952633],
  [1, 0.841344746068542949],
  [1.96, 0.975002104851779564],
  [2.5, 0.993790334674223865],
  [3, 0.998650101968369905],
  [4, 0.999968328758166880],
  [6, 0.999999999013412355],
  [8, 0.999999999999999378],
];

const QUANTILES: [number, number][] = [
  [1e-20, -9.2623400897981532],
  [1e-10, -6.3613409024040562],
  [0.001, -3.0902323061678135],
  [0.01, -2.3263478740408411],
  [0.02425, -1.9729610513118849],
  [0.1, -1.2815515655446005],
  [0.3, -0.52440051270804078],
  [0.7, 0.52440051270804078],
  [0.975, 1.9599639845400542],
  [0.99, 2.3263478740408411],
  [0.999999, 4.7534243088228989],
];

function relative(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('normal distribution', () => {
  it('Φ matches known values to 1e-9 relative, from the far left tail to the right', () => {
    for (const [x, p] of CDF) expect(relative(normalCdf(x), p), `Φ(${x})`).toBeLessThan(1e-9);
    expect(normalCdf(0)).toBe(0.5);
  });

  it('Φ is symmetric: Φ(−x) + Φ(x) = 1', () => {
    for (const x of [0.1, 0.7, 2.9, 3.1, 5]) expect(normalCdf(-x) + normalCdf(x)).toBeCloseTo(1, 15);
  });

  it('Φ⁻¹ matches known quantiles to 1e-9 relative and inverts Φ', () => {
    for (const [p, x] of QUANTILES) expect(relative(normalInverseCdf(p), x), `Φ⁻¹(${p})`).toBeLessThan(1e-9);
    expect(normalInverseCdf(0.5)).toBe(0);
    for (const x of [-8, -3.2, -1, 0.25, 2]) expect(relative(normalInverseCdf(normalCdf(x)), x)).toBeLessThan(1e-9);
  });

  it('Φ⁻¹ is ±∞ at the ends and NaN outside [0, 1]', () => {
    expect(normalInverseCdf(0)).toBe(-Infinity);
    expect(normalInverseCdf(1)).toBe(Infinity);
    expect(normalInverseCdf(-0.1)).toBeNaN();
    expect(normalInverseCdf(1.1)).toBeNaN();
  });
});
