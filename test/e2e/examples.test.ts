import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('portfolio.mjs runs risk, sizing, partials, heat, walker and the HTML report', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tickflow-portfolio-'));
    try {
      const r = spawnSync(process.execPath, [resolve(ROOT, 'examples/portfolio.mjs')], { cwd, encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const m = /opened (\d+), rejected by risk (\d+), first quantity ([\d.]+)/.exec(r.stdout);
      expect(m).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThan(0);
      expect(Number(m![3])).toBeGreaterThan(0);
      expect(r.stdout).toContain('| 10% |');
      expect(r.stdout).toMatch(/\| SYN\d\/USD \|/);
      expect(r.stdout).toMatch(/walker: best (sma-cross|rsi-reversion|channel-breakout)/);
      const html = join(cwd, 'out/portfolio.html');
      expect(existsSync(html)).toBe(true);
      expect(readFileSync(html, 'utf8')).toContain('<svg');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
