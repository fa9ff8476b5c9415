import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './run-cli.js';

/** Bare specifiers the built file imports statically, following its relative imports (its chunks). */
function staticPackages(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s*(?:[\w*${}\s,]+from\s*)?["']([^"']+)["']/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the built CLI starts without loading rxjs and zod as packages', () => {
  it('its static graph bundles rxjs (ES modules, tree-shaken) and zod instead of importing them', () => {
    expect(existsSync(CLI)).toBe(true);
    const { files, packages } = staticPackages(CLI);
    // Read for real: the CLI's chunks and its builtins are in the graph.
    expect(files.size).toBeGreaterThan(1);
    expect([...packages]).toContain('worker_threads');
    expect([...packages]).not.toContain('rxjs');
    expect([...packages]).not.toContain('zod');
    // The ES2015 build, not rxjs's CommonJS one: no require() of it anywhere in the graph.
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/require\(["']rxjs/);
  });
});
