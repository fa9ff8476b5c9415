import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignalEventSchema } from '../../src/core/events.js';
import { runCli, sharedFile } from './run-cli.js';

// `--balance` and `--stake` (SEMANTICS §12) through the built CLI.
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-money-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const valueOf = (stdout: string, label: string) => {
  const line = stdout.split('\n').find((l) => l.trimStart().startsWith(label));
  if (line === undefined) throw new Error(`no '${label}' line in:\n${stdout}`);
  return line.slice(line.indexOf(label) + label.length).trim();
};
const amount = (text: string) => Number(text.split(' ')[0]!.replaceAll(',', ''));

describe('tickflow backtest --balance --stake', () => {
  it('the account comes first, then the per-trade statistics; events carry stake and profit; final equity adds up', () => {
    const events = join(tmp, 'events.jsonl');
    const config = join(tmp, 'config.json');
    writeFileSync(config, JSON.stringify({ closeAtEnd: true }));
    const r = runCli(['backtest', '--demo', '--balance', '1000', '--stake', '100', '--config', config, '--events', events, '--no-progress']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.findIndex((l) => l === 'Account')).toBeLessThan(lines.findIndex((l) => l.startsWith('Per-trade statistics')));
    expect(valueOf(r.stdout, 'Balance')).toBe('1,000.00');
    expect(valueOf(r.stdout, 'Stake')).toBe('100.00');
    const parsed = readFileSync(events, 'utf8').trim().split('\n').map((l) => SignalEventSchema.parse(JSON.parse(l)));
    let profit = 0;
    for (const e of parsed) {
      if (e.action === 'opened') expect(e.stake).toBe(100);
      if (e.action === 'closed') {
        expect(e.stake).toBe(100);
        expect(e.profit).toBeCloseTo(e.pnl.pnlPercentage, 9);
        profit += e.profit!;
      }
    }
    expect(parsed.filter((e) => e.action === 'closed').length).toBeGreaterThan(50);
    // Everything closed at the end: final equity is the balance plus every trade's money profit (printed to cents).
    expect(amount(valueOf(r.stdout, 'Final equity'))).toBeCloseTo(1000 + profit, 2);
  });

  it('a percentage stake is accepted; bad amounts are one-line errors naming the flag', () => {
    expect(runCli(['backtest', '--demo', '--stake', '10%', '--no-progress']).code).toBe(0);
    for (const [flag, value] of [
      ['--stake', '150%'],
      ['--stake', 'lots'],
      ['--balance', '-5'],
      ['--balance', '0'],
    ] as const) {
      const r = runCli(['backtest', '--demo', flag, value, '--no-progress']);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.stderr, `${flag} ${value}`).toMatch(flag === '--stake' ? /stake/ : /balance/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a stake larger than the balance refuses every signal with insufficient balance', () => {
    const events = join(tmp, 'refused.jsonl');
    const r = runCli(['backtest', '--demo', '--balance', '50', '--stake', '100', '--events', events, '--no-progress']);
    expect(r.code).toBe(0);
    const parsed = readFileSync(events, 'utf8').trim().split('\n').map((l) => SignalEventSchema.parse(JSON.parse(l)));
    expect(parsed.some((e) => e.action === 'opened')).toBe(false);
    const risk = parsed.filter((e) => e.action === 'risk');
    expect(risk.length).toBeGreaterThan(50);
    expect(risk.every((e) => e.action === 'risk' && e.reason === 'insufficient balance')).toBe(true);
    expect(valueOf(r.stdout, 'Insufficient balance')).toBe(`${risk.length} rejected`);
  });
});

describe('tickflow walker --metric totalReturn', () => {
  it('ranks the strategies by their own accounts', () => {
    const ethBtc = sharedFile('ETH_BTC-1m.json');
    const flags = ['examples/sma-cross.mjs', 'examples/rsi-reversion.mjs'].flatMap((m) => ['--strategy', m]);
    const r = runCli(['walker', '--candles', ethBtc!, '--symbol', 'ETH/BTC', ...flags, '--metric', 'totalReturn', '--balance', '1000', '--stake', '100', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ranked by totalReturn');
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(2);
    const values = rows.map((row) => Number(row[2]));
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values[0]!).toBeGreaterThanOrEqual(values[1]!);
  });
});
