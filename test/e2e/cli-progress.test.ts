import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { CLI, ROOT, runCli } from './run-cli.js';

// On a terminal, file and store backtests draw a bar with percent, candles, rate and ETA (util-linux `script` gives
// the CLI a pseudo-terminal).
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.warn('skipped: `script` (util-linux) is not installed, no pseudo-terminal to run the CLI on');

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = join(tmp, 'gen.json');
const store = join(tmp, 'store');

beforeAll(async () => {
  const candles = await lastValueFrom(syntheticCandles({ symbols: ['GEN/USD'], start: Date.UTC(2024, 0, 1), count: 20 * 1440, seed: 3 }).pipe(toArray()));
  writeFileSync(file, JSON.stringify(candles.map(({ candle: c }) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume])));
  expect(runCli(['data', 'import', file, '--symbol', 'GEN/USD', '--data', store]).code).toBe(0);
});

const onTty = (args: string[]) => {
  const line = [process.execPath, CLI, ...args].map((s) => `'${s}'`).join(' ');
  return spawnSync('script', ['-q', '-e', '-c', line, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
};

const BAR = /\[#*-*\]\s+\d+% [\d,]+ candles [\d.]+[kM]?\/s/;

describe.skipIf(!hasScript)('progress bar', () => {
  it.each([
    ['the candle store', ['--data', store, '--symbol', 'GEN/USD']],
    ['a candle file', ['--candles', file, '--symbol', 'GEN/USD']],
  ])('backtest on %s shows percent, rate and the candle time reached', (_, source) => {
    const r = onTty(['backtest', ...source, '--strategy', 'examples/sma-cross.mjs']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(BAR);
    expect(r.stdout).toMatch(/ 2024-01-\d\dT\d\d:\d\d/);
    expect(r.stdout).toContain('Backtest of sma-cross');
  });
});
