import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { series } from './helpers.js';

/** A temporary folder for candle files, strategy modules and event files; `remove()` deletes it. */
export function scratch(prefix: string): { dir: string; file: (name: string, text: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    file: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A candle file as the CLI reads it: a JSON array of `{ timestamp, open, high, low, close, volume }`. */
export const candleFileText = (count: number, phase: number) => JSON.stringify(series(count, phase));

/** The tests' strategies as a module file: its default export is `longs` and `shorts`, it also exports `momentum`. */
export const STRATEGIES_FILE = fileURLToPath(new URL('./fixtures/strategies.mjs', import.meta.url));
