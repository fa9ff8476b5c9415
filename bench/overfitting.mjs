// PBO cost: cscv with S = 16 (C(16, 8) = 12,870 combinations) over N = 200 trials on 365 daily periods. Run:
//   npx tsup --silent && node bench/overfitting.mjs
// Prints the best-of-RUNS CPU time of cscv (input validation included) and its ratio to one pass that merely sums
// the matrix (never asserted: a benchmark, not a test).
import { cscv } from '../dist/index.js';
import { cpuMs } from './common.mjs';

const T = 365;
const N = 200;
const S = 16;
const RUNS = Number(process.env.RUNS ?? 5);

// Deterministic noise (xorshift32, sum of 4 uniforms ≈ normal) with a small edge growing with the trial index.
let x = 2463534242;
const uniform = () => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) / 4294967296;
};
const noise = () => uniform() + uniform() + uniform() + uniform() - 2;
const matrix = Array.from({ length: T }, () => Array.from({ length: N }, (_, n) => 0.02 * noise() + 0.00002 * n));

function best(f) {
  let min = Infinity;
  let result;
  for (let i = 0; i < RUNS; i++) {
    const start = cpuMs();
    result = f();
    min = Math.min(min, cpuMs() - start);
  }
  return { ms: min, result };
}

function sumMatrix() {
  let s = 0;
  for (let t = 0; t < T; t++) {
    const row = matrix[t];
    for (let n = 0; n < N; n++) s += row[n];
  }
  return s;
}

// Warm both up so the JIT has compiled them before timing.
sumMatrix();
cscv(matrix, { splits: S });

// One pass is far below the CPU clock's resolution: time many and divide.
const PASSES = 1000;
const sum = best(() => {
  let s = 0;
  for (let i = 0; i < PASSES; i++) s += sumMatrix();
  return s;
});
const passMs = sum.ms / PASSES;
const pbo = best(() => cscv(matrix, { splits: S }));
console.log(`cscv S=${S}, N=${N} trials, T=${T} days: ${pbo.result.combinations} combinations, PBO ${pbo.result.pbo.toFixed(6)}`);
console.log(`  cscv:           ${pbo.ms.toFixed(1)} ms (best of ${RUNS}, CPU)`);
console.log(`  one matrix sum: ${(passMs * 1000).toFixed(1)} µs`);
console.log(`  ratio:          ${(pbo.ms / passMs).toFixed(0)}× one summing pass`);
