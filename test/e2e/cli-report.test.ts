import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tickflow backtest --report DIR', () => {
  it('writes the backtest, schedule, partial, heat and performance reports in md, json and html', () => {
    const dir = join(tmp, 'reports');
    const r = runCli(['backtest', '--demo', '--report', dir, '--no-progress']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'backtest.html', 'backtest.json', 'backtest.md', 'heat.json', 'heat.md', 'partial.json', 'partial.md',
      'performance.json', 'performance.md', 'schedule.json', 'schedule.md',
    ]);
    expect(r.stdout).toContain(`Reports: ${join(dir, 'backtest.md')}`);

    const backtest = JSON.parse(readFileSync(join(dir, 'backtest.json'), 'utf8'));
    const closed: number = backtest.statistics.totalSignals;
    expect(closed).toBeGreaterThan(0);

    const html = readFileSync(join(dir, 'backtest.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    // Equity and its drawdown, then one price chart per demo symbol.
    expect(html.match(/<svg /g)).toHaveLength(2 + 3);
    expect(backtest.bySymbol.reduce((n: number, r: { trades: number }) => n + r.trades, 0)).toBe(closed);
    expect(html).toContain(`Closed signals (${closed})`);
    // One table row per closed signal, numbered 1 … n.
    expect(html.match(/<tr><td class="num">\d+<\/td><td>SYN/g)).toHaveLength(closed);

    const schedule = JSON.parse(readFileSync(join(dir, 'schedule.json'), 'utf8'));
    expect(schedule).toEqual(backtest.schedule);
    expect(readFileSync(join(dir, 'schedule.md'), 'utf8')).toContain('# Scheduled signals');

    const performance = JSON.parse(readFileSync(join(dir, 'performance.json'), 'utf8'));
    expect(performance.unit).toBe('ms');
    const stages = performance.stages.map((s: { stage: string }) => s.stage);
    expect(stages).toEqual(expect.arrayContaining(['activateScheduled', 'monitorSignal', 'partialMilestones', 'askStrategy sma-cross', 'enterSignal']));
    for (const s of performance.stages) {
      expect(s.count).toBeGreaterThan(0);
      expect(s.p50).toBeLessThanOrEqual(s.p99);
    }
    expect(readFileSync(join(dir, 'performance.md'), 'utf8')).toMatch(/\| monitorSignal \| \d+ \|/);

    // Heat: one row per demo symbol whose signals add up to the backtest's; partials: counts from the same run.
    const heat = JSON.parse(readFileSync(join(dir, 'heat.json'), 'utf8'));
    expect(heat.rows.map((r: { symbol: string }) => r.symbol).sort()).toEqual(['SYNA/USDT', 'SYNB/USDT', 'SYNC/BTC']);
    expect(heat.rows.reduce((n: number, r: { statistics: { totalSignals: number } }) => n + r.statistics.totalSignals, 0)).toBe(closed);
    const partial = JSON.parse(readFileSync(join(dir, 'partial.json'), 'utf8'));
    expect(partial.totalProfit + partial.totalLoss).toBe((backtest.counts.partial_profit ?? 0) + (backtest.counts.partial_loss ?? 0));
    expect(readFileSync(join(dir, 'heat.md'), 'utf8')).toContain('SYNA/USDT');
  });
});
