import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.js';

// The README quotes these examples: they must keep running against the built package.
describe('examples', () => {
  it('compose.mjs composes the operators by hand with a weekend filter inserted', () => {
    const r = spawnSync(process.execPath, [resolve(ROOT, 'examples/compose.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const m = /opened (\d+) signals, (\d+) on a weekend/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(10);
    expect(Number(m![2])).toBe(0);
  });
});
