import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const require = createRequire(import.meta.url);

/**
 * rxjs's `node` export is its CommonJS build (about 90 ms to load whole at start-up); its ES2015 modules bundle
 * tree-shaken into the CLI instead. Only the CLI: the library keeps rxjs and zod as peers the user's code shares.
 */
const rxjsEsm: Plugin = {
  name: 'rxjs-esm',
  setup(build) {
    const root = path.dirname(require.resolve('rxjs/package.json'));
    build.onResolve({ filter: /^rxjs$/ }, () => ({ path: path.join(root, 'dist/esm/index.js') }));
  },
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing.ts', ccxt: 'src/ccxt.ts', lmdb: 'src/lmdb.ts', kafka: 'src/kafka.ts', live: 'src/live.ts', engine: 'src/engine.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    // The CLI is ESM only; it imports the library entry lazily where heavy. rxjs and zod are bundled into it (start-up:
    // loading them as packages is half of it); ccxt, kafkajs and lmdb stay external and load only where used.
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    noExternal: ['rxjs', 'zod'],
    esbuildPlugins: [rxjsEsm],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
