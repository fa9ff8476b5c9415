// Exchange-fault soak: a live node behind a fault-injecting proxy under a seeded random mix of the survivable faults,
// against a reference node on the same exchange; prints the faults injected and the events compared. Not part of the
// test suite (a few minutes for the default length).
//
//   node bench/soak-exchange.mjs [--minutes 600] [--seed 1]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const minutes = Number(arg('minutes', '600'));
const seed = arg('seed', '1');
if (!Number.isInteger(minutes) || minutes < 1) throw new Error(`--minutes: expected a positive integer, got ${arg('minutes')}`);

// Bundled from the TypeScript sources and the test exchange, inside the repository so bare imports resolve.
const cache = resolve(ROOT, 'node_modules/.cache');
mkdirSync(cache, { recursive: true });
const outDir = mkdtempSync(join(cache, 'tickflow-soak-'));
try {
  await build({
    entry: { soak: resolve(ROOT, 'bench/soak-exchange-run.ts') },
    outDir,
    format: ['esm'],
    target: 'node20',
    silent: true,
    config: false,
    sourcemap: false,
  });
  const { soak } = await import(join(outDir, 'soak.js'));
  const started = Date.now();
  const r = await soak({ minutes, seed, log: (line) => console.log(line) });
  const injected = Object.values(r.faults).reduce((a, b) => a + b, 0);
  console.log(`exchange soak, seed ${seed}: ${r.candles} candles (2 symbols), ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`faults injected: ${injected} (${Object.entries(r.faults).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  console.log(`errors reported: ${r.errorsReported}`);
  console.log(`events compared: ${r.eventsCompared}, identical to the reference: ${r.identical ? 'yes' : 'NO'}`);
  // Every fault is reported, but two on one request make one report (a skewed clock answer whose confirming read is
  // cut off fails that read once): errors and faults need not be equal, only none of them silent.
  if (!r.identical || (injected > 0 && r.errorsReported === 0)) {
    for (const line of r.detail) console.log(line);
    process.exitCode = 1;
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
