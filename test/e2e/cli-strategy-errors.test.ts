import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { runCli } from './run-cli.js';

// A run whose strategy fails must not look like a success: error count and first error with its line in the summary,
// exit code 3 unless --allow-errors.

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-strategy-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let file: string;
let throwing: string;
let rejecting: string;
const CANDLES = 2 * 1440;

beforeAll(async () => {
  const candles = await lastValueFrom(syntheticCandles({ symbols: ['GEN/USD'], start: Date.UTC(2024, 0, 1), count: CANDLES, seed: 3 }).pipe(toArray()));
  file = join(tmp, 'gen.json');
  writeFileSync(file, JSON.stringify(candles.map(({ candle: c }) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume])));
  throwing = join(tmp, 'throwing.mjs');
  writeFileSync(throwing, ['// line 1', 'export default { name: "throwing", interval: "5m", getSignal() {', '  throw new Error("no luck");', '} };', ''].join('\n'));
  rejecting = join(tmp, 'rejecting.mjs');
  writeFileSync(rejecting, ['export default { name: "rejecting", interval: "15m", async getSignal(ctx) {', '  await null;', '  throw new TypeError(`bad ${ctx.symbol}`);', '} };', ''].join('\n'));
});

const errorsLine = (text: string) => text.split('\n').find((l) => /^\s+Errors\s/.test(l))?.trim();

describe('a run with strategy errors', () => {
  it('backtest: exit 3, the count, the first error and its line in the strategy file', () => {
    const r = runCli(['backtest', '--candles', file, '--symbol', 'GEN/USD', '--strategy', throwing, '--no-progress']);
    expect(r.code).toBe(3);
    // One ask every 5 minutes, each throwing.
    expect(errorsLine(r.stdout)).toBe(`Errors                       ${CANDLES / 5}`);
    expect(r.stdout).toMatch(/first error: strategy 'throwing' on GEN\/USD at 2024-01-01T00:05:00\.000Z: getSignal threw: no luck\n/);
    expect(r.stdout).toContain(`    at ${throwing}:3:9\n`);
    expect(r.stderr).toBe(`tickflow: the run produced ${CANDLES / 5} error events (see the summary); exit code 3 (--allow-errors to exit 0)\n`);
  });

  it('backtest --allow-errors: exit 0, the same summary', () => {
    const r = runCli(['backtest', '--candles', file, '--symbol', 'GEN/USD', '--strategy', throwing, '--no-progress', '--allow-errors']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(errorsLine(r.stdout)).toBe(`Errors                       ${CANDLES / 5}`);
  });

  it('an async strategy that rejects: its line too', () => {
    const r = runCli(['backtest', '--candles', file, '--symbol', 'GEN/USD', '--strategy', rejecting, '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/first error: strategy 'rejecting' .*getSignal rejected: bad GEN\/USD\n/);
    expect(r.stdout).toContain(`    at ${rejecting}:3:9\n`);
  });

  it('walker: exit 3 with the count and first error, --allow-errors exits 0', () => {
    const args = ['walker', '--candles', file, '--symbol', 'GEN/USD', '--strategy', 'examples/sma-cross.mjs', '--strategy', throwing, '--no-progress'];
    const r = runCli(args);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`Errors: ${CANDLES / 5}; first error: strategy 'throwing' .*getSignal threw: no luck\\n    at ${throwing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:9\\n`));
    expect(r.stderr).toMatch(/^tickflow: the run produced \d+ error events/);
    expect(runCli([...args, '--allow-errors']).code).toBe(0);
  });

  it('a clean run exits 0 and prints no error lines', () => {
    const r = runCli(['backtest', '--candles', file, '--symbol', 'GEN/USD', '--strategy', 'examples/sma-cross.mjs', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Errors|first error/);
  });

  it('--help documents the exit codes and --allow-errors', () => {
    for (const command of ['backtest', 'walker']) {
      const r = runCli([command, '--help']);
      expect(r.stdout).toMatch(/exit codes: 0 done; 1 internal error; 2 a mistake .*\n\s+3 the run completed but produced error events/);
      expect(r.stdout).toContain('--allow-errors');
      expect(r.stdout).toMatch(/--interval I: the interval of the candles in the files/);
    }
  });
});
