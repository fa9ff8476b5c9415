import { describe, expect, it } from 'vitest';
import { cscv, CscvResultSchema } from '../../src/research/cscv.js';
import { deflatedSharpeRatio, dsrFromMoments, DsrResultSchema, expectedMaxSharpe } from '../../src/research/dsr.js';
import { returnMoments, sampleVariance, trialSharpeRatios } from '../../src/research/moments.js';
import { probabilisticSharpeRatio, psrFromMoments, PsrResultSchema } from '../../src/research/psr.js';

/** RESEARCH "Reference values": r[t][n] = 0.001·(((t·(n+3) + n) mod 11) − 5) + 0.0002·n·sin(t), 64 × 5. */
function noiseMatrix(): number[][] {
  return Array.from({ length: 64 }, (_, t) => Array.from({ length: 5 }, (_, n) => 0.001 * (((t * (n + 3) + n) % 11) - 5) + 0.0002 * n * Math.sin(t)));
}

/** r[t][n] = 0.001·(((7t + 3n) mod 11) − 5) + 0.0004·n: a real edge growing with n. */
function edgeMatrix(): number[][] {
  return Array.from({ length: 64 }, (_, t) => Array.from({ length: 5 }, (_, n) => 0.001 * (((7 * t + 3 * n) % 11) - 5) + 0.0004 * n));
}

const column = (m: number[][], n: number) => m.map((row) => row[n]!);

describe('DSR and PSR: Bailey & López de Prado (2014) example', () => {
  const sharpe = 2.5 / Math.sqrt(250);
  const moments = { sharpe, skewness: -3, kurtosis: 10, T: 1250 };

  it('SR* = 0.113172 per period for N = 100, V = 0.5/250', () => {
    expect(expectedMaxSharpe(100, 0.5 / 250)).toBeCloseTo(0.113172, 6);
  });

  it('DSR = 0.900397, reported with N, V, T and SR*', () => {
    const r = dsrFromMoments(moments, { trials: 100, sharpeVariance: 0.5 / 250 });
    expect(r.dsr).toBeCloseTo(0.900397, 6);
    expect(r).toMatchObject({ N: 100, V: 0.002, T: 1250, reason: null });
    expect(r.expectedMaxSharpe).toBeCloseTo(0.113172, 6);
    expect(DsrResultSchema.parse(r)).toEqual(r);
  });

  it('PSR against 0 of the same series = 0.999997', () => {
    const r = psrFromMoments(moments);
    expect(r.psr).toBeCloseTo(0.999997, 6);
    expect(PsrResultSchema.parse(r)).toEqual(r);
  });
});

describe('the noise matrix (64 periods × 5 trials)', () => {
  const m = noiseMatrix();

  it('per-period Sharpe ratios of its trials', () => {
    const sr = trialSharpeRatios(m);
    [-0.014699, -0.00972, -0.004718, 0.00028, 0.005273].forEach((v, n) => expect(sr[n]).toBeCloseTo(v, 6));
    expect(sampleVariance(sr)).toBeCloseTo(6.236e-5, 8);
  });

  it('PBO 1.000000 / 0.985714 / 0.984460 with S = 4 / 8 / 16 and their mean logits', () => {
    const cases = [
      { S: 4, combinations: 6, pbo: 1, meanLogit: -1.304008 },
      { S: 8, combinations: 70, pbo: 0.985714, meanLogit: -1.432555 },
      { S: 16, combinations: 12870, pbo: 0.98446, meanLogit: -1.449986 },
    ];
    for (const c of cases) {
      const r = cscv(m, { splits: c.S });
      expect(r.pbo, `S = ${c.S}`).toBeCloseTo(c.pbo, 6);
      expect(r.meanLogit, `S = ${c.S}`).toBeCloseTo(c.meanLogit, 6);
      expect(r).toMatchObject({ S: c.S, T: 64, N: 5, combinations: c.combinations, reason: null });
      expect(r.logits).toHaveLength(c.combinations);
      expect(r.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(c.combinations);
      expect(CscvResultSchema.parse(r)).toEqual(r);
    }
  });

  it('S defaults to 16', () => {
    expect(cscv(m).S).toBe(16);
  });

  it('the best trial (4) has DSR 0.486878 with N = 5 and V from the trials', () => {
    const V = sampleVariance(trialSharpeRatios(m))!;
    const r = deflatedSharpeRatio(column(m, 4), { trials: 5, sharpeVariance: V });
    expect(r.dsr).toBeCloseTo(0.486878, 6);
    expect(r).toMatchObject({ N: 5, T: 64 });
    expect(r.V).toBeCloseTo(6.236e-5, 8);
  });

  it('trial 2 alone: PSR(0) = 0.485065 with skewness 0.002506 and kurtosis 1.784149', () => {
    const r = probabilisticSharpeRatio(column(m, 2));
    expect(r.psr).toBeCloseTo(0.485065, 6);
    expect(r.skewness).toBeCloseTo(0.002506, 6);
    expect(r.kurtosis).toBeCloseTo(1.784149, 6);
    expect(r.benchmarkSharpe).toBe(0);
  });
});

describe('the edge matrix', () => {
  it('PBO 0.000000 with S = 8 (mean logit 1.216742) and 0.190598 with S = 16 (mean logit 0.874993)', () => {
    const m = edgeMatrix();
    const s8 = cscv(m, { splits: 8 });
    expect(s8.pbo).toBeCloseTo(0, 6);
    expect(s8.meanLogit).toBeCloseTo(1.216742, 6);
    const s16 = cscv(m, { splits: 16 });
    expect(s16.pbo).toBeCloseTo(0.190598, 6);
    expect(s16.meanLogit).toBeCloseTo(0.874993, 6);
  });
});

describe('undefined statistics are null with the reason and their inputs', () => {
  it('PSR: T < 2 and zero variance', () => {
    expect(probabilisticSharpeRatio([0.01])).toMatchObject({ psr: null, T: 1, reason: expect.stringContaining('T = 1') });
    expect(probabilisticSharpeRatio([0.01, 0.01, 0.01])).toMatchObject({ psr: null, T: 3, sharpe: 0, reason: expect.stringContaining('zero variance') });
  });

  it('DSR: N < 2, T < 2, zero variance', () => {
    const r = [0.01, -0.02, 0.015];
    expect(deflatedSharpeRatio(r, { trials: 1, sharpeVariance: 0.001 })).toMatchObject({ dsr: null, N: 1, expectedMaxSharpe: null, reason: expect.stringContaining('N = 1') });
    expect(deflatedSharpeRatio([0.01], { trials: 5, sharpeVariance: 0.001 })).toMatchObject({ dsr: null, T: 1 });
    expect(deflatedSharpeRatio([0, 0], { trials: 5, sharpeVariance: 0.001 })).toMatchObject({ dsr: null, reason: expect.stringContaining('zero variance') });
  });

  it('CSCV: N < 2 and fewer periods than blocks; odd S is an input error', () => {
    expect(cscv([[0.1], [0.2], [0.3], [0.4]], { splits: 2 })).toMatchObject({ pbo: null, N: 1, S: 2, reason: expect.stringContaining('N = 1') });
    expect(cscv([[0.1, 0.2], [0.3, 0.1]], { splits: 4 })).toMatchObject({ pbo: null, T: 2, S: 4, combinations: 6 });
    expect(() => cscv([[0.1, 0.2]], { splits: 5 })).toThrow(/even/);
    expect(() => cscv([[0.1, 0.2], [0.3]], { splits: 2 })).toThrow(/row 1 has 1 columns, expected 2/);
  });

  it('returnMoments: population moments', () => {
    const m = returnMoments([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(m.stdDev).toBeCloseTo(Math.sqrt(1.25), 15);
    expect(m.skewness).toBeCloseTo(0, 15);
    expect(m.kurtosis).toBeCloseTo(1.64, 12);
  });

  it('returnMoments: a constant series has Sharpe 0, though its rounded mean is an ulp off each value', () => {
    expect(returnMoments(new Array(37).fill(0.001))).toMatchObject({ stdDev: 0, sharpe: 0, skewness: null, kurtosis: null });
  });
});

describe('CSCV equals its definition computed row by row', () => {
  /** The definition, literally: concatenate the rows of the chosen blocks, Sharpe per trial, rank. */
  function naive(m: number[][], S: number): number[] {
    const T = m.length;
    const N = m[0]!.length;
    const blocks = Array.from({ length: S }, (_, k) => m.slice(Math.floor((k * T) / S), Math.floor(((k + 1) * T) / S)));
    const logits: number[] = [];
    // Every choice of S/2 block indices, in lexicographic order.
    const choices: number[][] = [];
    const pick = (chosen: number[], first: number) => {
      if (chosen.length === S / 2) return void choices.push(chosen);
      for (let k = first; k < S; k++) pick([...chosen, k], k + 1);
    };
    pick([], 0);
    for (const chosen of choices) {
      const is = blocks.filter((_, k) => chosen.includes(k)).flat();
      const oos = blocks.filter((_, k) => !chosen.includes(k)).flat();
      const isSr = trialSharpeRatios(is);
      const oosSr = trialSharpeRatios(oos);
      let best = 0;
      for (let n = 1; n < N; n++) if (isSr[n]! > isSr[best]!) best = n;
      const r = 1 + oosSr.filter((v) => v < oosSr[best]!).length;
      const omega = r / (N + 1);
      logits.push(Math.log(omega / (1 - omega)));
    }
    return logits;
  }

  it('on an uneven, seeded matrix with a constant trial (ties go to the lowest index)', () => {
    let x = 12345;
    const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.02;
    const m = Array.from({ length: 37 }, () => [next(), next(), 0.001, next() + 0.001, next(), 0.001]);
    for (const S of [2, 6, 8]) {
      const fast = cscv(m, { splits: S }).logits;
      const slow = naive(m, S);
      expect(fast).toHaveLength(slow.length);
      fast.forEach((l, i) => expect(l).toBeCloseTo(slow[i]!, 12));
    }
  });
});
