import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, SHARED_DATA } from './run-cli.js';

// On a terminal optimize draws its trial progress bar (on stderr); in a pipe nothing. The reports are the same
// either way. util-linux's `script` runs the command on a pseudo-terminal.
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.warn('skipped: `script` (util-linux) is not installed, no pseudo-terminal to run the CLI on');
const DATA = join(SHARED_DATA, 'ETH_BTC-1m.json');
const HAVE_DATA = existsSync(DATA);

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-research-tty-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('optimize progress on a terminal', () => {
  it.skipIf(!hasScript || !HAVE_DATA)('draws trials done/total with rate and ETA on a TTY, nothing in a pipe; the report is the same bytes', () => {
    const args = (report: string) => ['optimize', '--candles', DATA, '--symbol', 'ETH/BTC', '--strategy', 'examples/sma-cross.mjs', '--sampler', 'random', '--trials', '6', '--batch-size', '2', '--timerange', '2018-01-22..2018-01-25', '--report', report];
    const piped = runCli(args(join(tmp, 'piped')));
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('\r');

    const line = [process.execPath, CLI, ...args(join(tmp, 'tty'))].map(quote).join(' ');
    const r = spawnSync('script', ['-q', '-e', '-c', line, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\r\[[#-]{30}\] 6\/6 trials/);
    expect(r.stdout).toMatch(/\r\[[#-]{30}\] 2\/6 trials {2}[\d.]+ trials\/s {2}ETA \d/);
    for (const name of ['optimize.json', 'optimize.html']) {
      expect(readFileSync(join(tmp, 'tty', name), 'utf8')).toBe(readFileSync(join(tmp, 'piped', name), 'utf8'));
    }
  });
});
