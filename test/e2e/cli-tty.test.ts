import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { CLI, ROOT, runCli } from './run-cli.js';

// On a terminal the CLI draws a progress bar, fed by progress events; the reports must not see them. util-linux's
// `script` runs the command on a pseudo-terminal.
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.warn('skipped: `script` (util-linux) is not installed, no pseudo-terminal to run the CLI on');

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-tty-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let file: string;

beforeAll(async () => {
  const candles = await lastValueFrom(syntheticCandles({ symbols: ['GEN/USD'], start: Date.UTC(2024, 0, 1), count: 8 * 1440, seed: 11 }).pipe(toArray()));
  file = join(tmp, 'gen.json');
  writeFileSync(file, JSON.stringify(candles.map(({ candle: c }) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume])));
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Every report but the stage timings (performance.*), which measure the machine, by file name. */
function reports(dir: string): Record<string, string> {
  const names = readdirSync(dir).filter((n) => !n.startsWith('performance.'));
  return Object.fromEntries(names.sort().map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

describe('reports do not depend on the terminal', () => {
  it.skipIf(!hasScript)('backtest and walker write the same report files on a pseudo-terminal as in a pipe, byte for byte', () => {
    for (const command of ['backtest', 'walker'] as const) {
      const args = (report: string) => [command, '--candles', file, '--symbol', 'GEN/USD', '--strategy', 'examples/sma-cross.mjs', '--report', report];
      const piped = join(tmp, `${command}-piped`);
      expect(runCli(args(piped)).code).toBe(0);

      const onTty = join(tmp, `${command}-tty`);
      const line = [process.execPath, CLI, ...args(onTty)].map(quote).join(' ');
      const r = spawnSync('script', ['-q', '-e', '-c', line, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(r.status).toBe(0);
      // The progress bar was drawn: the progress path ran.
      expect(r.stdout).toMatch(/\r\[[#-]+\]|\r[\d,]+ candles/);

      const a = reports(piped);
      expect(Object.keys(a).length).toBeGreaterThan(command === 'backtest' ? 8 : 2);
      expect(reports(onTty)).toEqual(a);
    }
  });
});
