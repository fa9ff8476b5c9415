import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SignalEventSchema, type SignalEvent } from '../../src/core/events.js';
import { maxOpenPositions } from '../support/positions.js';
import { ROOT, runCli, sharedFile } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-cli-risk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PAIRS = ['ADA', 'ETH', 'XLM', 'XMR', 'DASH'].map((coin) => ({ symbol: `${coin}/BTC`, path: sharedFile(`${coin}_BTC-1m.json`) }));
const absent = PAIRS.some((p) => p.path === null);

function module(name: string, source: string): string {
  const path = join(tmp, name);
  writeFileSync(path, source);
  return path;
}

/** sma-cross under another name, asked every minute: a second strategy trading the same symbols. */
const fastSma = module(
  'sma-fast.mjs',
  `import base from ${JSON.stringify(pathToFileURL(resolve(ROOT, 'examples/sma-cross.mjs')).href)};\n` +
    `export default { ...base, name: 'sma-fast', interval: '1m' };\n`,
);

function readEvents(path: string): SignalEvent[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => SignalEventSchema.parse(JSON.parse(line)));
}

describe('tickflow backtest --risk', () => {
  it.skipIf(absent)('two strategies on five real files under examples/portfolio-risk.mjs: both trade, the profile holds', () => {
    const events = join(tmp, 'events.jsonl');
    const files = PAIRS.flatMap((p) => ['--candles', p.path!, '--symbol', p.symbol]);
    const args = [
      'backtest', ...files, '--strategy', 'examples/sma-cross.mjs', '--strategy', fastSma,
      '--risk', 'examples/portfolio-risk.mjs', '--events', events, '--no-progress',
    ];
    const r = runCli(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Backtest of sma-cross, sma-fast');
    expect(r.stdout).toMatch(/risk \d+/);

    const all = readEvents(events);
    const strategies = new Set(all.filter((e) => e.action === 'opened').map((e) => e.strategy));
    expect([...strategies].sort()).toEqual(['sma-cross', 'sma-fast']);
    // At most two positions across both strategies and all symbols, and never two on one symbol.
    expect(maxOpenPositions(all)).toBe(2);
    const perSymbol = new Map<string, number>();
    for (const e of all) {
      if (e.action === 'opened') perSymbol.set(e.symbol, (perSymbol.get(e.symbol) ?? 0) + 1);
      if (e.action === 'closed') perSymbol.set(e.symbol, perSymbol.get(e.symbol)! - 1);
      expect(perSymbol.get(e.symbol) ?? 0).toBeLessThanOrEqual(1);
    }
    const reasons = new Set(all.flatMap((e) => (e.action === 'risk' ? [e.reason] : [])));
    expect(reasons).toEqual(new Set(["risk profile 'portfolio': maxConcurrentPositions 2 reached (2 open)", 'one position per symbol']));

    // Symbol order does not matter.
    const reversed = join(tmp, 'reversed.jsonl');
    const files2 = [...PAIRS].reverse().flatMap((p) => ['--candles', p.path!, '--symbol', p.symbol]);
    expect(runCli([...args.slice(0, 1), ...files2, ...args.slice(1 + files.length, -3), '--events', reversed, '--no-progress']).code).toBe(0);
    expect(readFileSync(reversed, 'utf8')).toBe(readFileSync(events, 'utf8'));
  });
});

describe('tickflow backtest --risk: user errors are one line, exit code 2', () => {
  const expectUserError = (args: string[], pattern: RegExp) => {
    const r = runCli(['backtest', '--demo', '--no-progress', ...args]);
    expect(r.stderr).toMatch(pattern);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at \S+ \(/);
    expect(r.stdout).toBe('');
  };

  it('a missing module', () => expectUserError(['--risk', join(tmp, 'nope.mjs')], /^tickflow: risk module .*nope\.mjs: file not found/));

  it('a module that does not load', () =>
    expectUserError(['--risk', module('broken.mjs', 'export default {\n')], /^tickflow: risk module .*broken\.mjs failed to load: /));

  it('no default export', () =>
    expectUserError(['--risk', module('named.mjs', 'export const profile = { name: "p" };\n')], /risk module .*named\.mjs has no default export/));

  it('an invalid profile names the field and what was expected', () =>
    expectUserError(
      ['--risk', module('invalid.mjs', 'export default [{ name: "ok" }, { name: "p", maxConcurrentPositions: "two", validations: [42] }];\n')],
      /risk module .*invalid\.mjs \[1\] is not valid: 'maxConcurrentPositions': .*; 'validations\.0': expected a function or \{ validate: function, note\?: string \}$/m,
    ));

  it('two profiles of one name', () =>
    expectUserError(['--risk', 'examples/portfolio-risk.mjs', '--risk', 'examples/portfolio-risk.mjs'], /two risk profiles are named 'portfolio'/));

  it('a strategy naming a profile that no --risk module defines', () => {
    const named = module('named-risk.mjs', 'import base from ' + JSON.stringify(pathToFileURL(resolve(ROOT, 'examples/sma-cross.mjs')).href) + ';\nexport default { ...base, risk: "max2" };\n');
    expectUserError(['--strategy', named], /strategy 'sma-cross' names risk profile 'max2', which is not defined \(none were given\) \(give the module that defines it with --risk FILE\)/);
    expectUserError(['--strategy', named, '--risk', 'examples/portfolio-risk.mjs'], /names risk profile 'max2', which is not defined \(known: 'portfolio'\)/);
  });

  it('the same strategy given twice', () =>
    expectUserError(['--strategy', 'examples/sma-cross.mjs', '--strategy', 'examples/sma-cross.mjs'], /two strategies are named 'sma-cross'/));
});
