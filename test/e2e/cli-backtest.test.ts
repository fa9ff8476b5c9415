import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignalEventSchema, type SignalEvent } from '../../src/core/events.js';
import { runCli, sharedFile } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ethBtc = sharedFile('ETH_BTC-1m.json');

function readEvents(path: string): SignalEvent[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => SignalEventSchema.parse(JSON.parse(line)));
}

describe('tickflow backtest on real candles', () => {
  it.skipIf(ethBtc === null)('writes events and reports that agree with each other', () => {
    const events = join(tmp, 'events.jsonl');
    const report = join(tmp, 'report');
    const r = runCli([
      'backtest', '--candles', ethBtc!, '--symbol', 'ETH/BTC', '--strategy', 'examples/sma-cross.mjs',
      '--events', events, '--report', report, '--no-progress',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Backtest of sma-cross');

    const all = readEvents(events);
    const closed = all.filter((e) => e.action === 'closed');
    expect(closed.length).toBeGreaterThan(10);
    // Every closed signal was opened first, exactly once; ids are unique.
    const ids = new Set(all.map((e) => e.eventId));
    expect(ids.size).toBe(all.length);
    for (const c of closed) {
      expect(all.filter((e) => e.action === 'opened' && e.signal.id === c.signal.id)).toHaveLength(1);
    }

    // The statistics reported are those of the events, recomputed here independently.
    const json = JSON.parse(readFileSync(join(report, 'backtest.json'), 'utf8'));
    const pnls = closed.map((e) => (e.action === 'closed' ? e.pnl.pnlPercentage : 0));
    const wins = pnls.filter((p) => p > 0).length;
    const losses = pnls.filter((p) => p < 0).length;
    const total = pnls.reduce((a, b) => a + b, 0);
    const mean = total / pnls.length;
    const sd = Math.sqrt(pnls.reduce((a, p) => a + (p - mean) ** 2, 0) / pnls.length);
    let cum = 0;
    let peak = 0;
    let dd = 0;
    for (const p of pnls) {
      cum += p;
      peak = Math.max(peak, cum);
      dd = Math.max(dd, peak - cum);
    }
    const s = json.statistics;
    expect(s.totalSignals).toBe(closed.length);
    expect(s.winCount).toBe(wins);
    expect(s.lossCount).toBe(losses);
    expect(s.totalPnl).toBeCloseTo(total, 9);
    expect(s.avgPnl).toBeCloseTo(mean, 9);
    expect(s.stdDev).toBeCloseTo(sd, 9);
    expect(s.sharpeRatio).toBeCloseTo(mean / sd, 9);
    expect(s.maxDrawdown).toBeCloseTo(dd, 9);
    expect(s.winRate).toBeCloseTo((wins / closed.length) * 100, 9);
    expect(json.signals).toHaveLength(closed.length);
    const md = readFileSync(join(report, 'backtest.md'), 'utf8');
    expect(md).toContain('# Backtest report');
    expect(md.split('\n').filter((l) => /^\| \d+ \| ETH\/BTC \|/.test(l))).toHaveLength(closed.length);

    // Same input, same events: a second run is identical.
    const again = join(tmp, 'again.jsonl');
    expect(runCli(['backtest', '--candles', ethBtc!, '--symbol', 'ETH/BTC', '--strategy', 'examples/sma-cross.mjs', '--events', again, '--no-progress']).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(events, 'utf8'));
  });

  it.skipIf(ethBtc === null)('--events - writes one JSON event per line to stdout and the summary to stderr', () => {
    const r = runCli(['backtest', '--candles', ethBtc!, '--symbol', 'ETH/BTC', '--strategy', 'examples/sma-cross.mjs', '--events', '-']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => SignalEventSchema.parse(JSON.parse(line))).not.toThrow();
    expect(r.stderr).toContain('Backtest of sma-cross');
  });
});

describe('tickflow backtest --demo', () => {
  it('runs the bundled strategy on generated data and prints the summary', () => {
    const r = runCli(['backtest', '--demo', '--no-progress']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('synthetic demo data');
    const closedLine = r.stdout.split('\n').find((l) => l.includes('Closed signals'));
    expect(Number(closedLine?.trim().split(/\s+/).pop())).toBeGreaterThan(50);
  });
});

describe('user errors: one line, exit code 2, no stack trace', () => {
  const expectUserError = (args: string[], pattern: RegExp) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at \S+ \(/);
  };

  it('unknown flag', () => expectUserError(['backtest', '--demo', '--bogus'], /bogus/));
  it('missing symbol for a file', () => expectUserError(['backtest', '--candles', 'x.json', '--strategy', 'examples/sma-cross.mjs'], /--symbol/));
  it('unreadable candle file', () =>
    expectUserError(['backtest', '--candles', join(tmp, 'nope.json'), '--symbol', 'X/Y', '--strategy', 'examples/sma-cross.mjs'], /nope\.json/));
  it('invalid candle names file, line, symbol, time and field', () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(file, '[\n[1516424400000, 1, 2, 0.5, 1.5, 10],\n[1516424460000, 1, 0.9, 0.5, 1.5, 10]\n]\n');
    expectUserError(['backtest', '--candles', file, '--symbol', 'BAD/X', '--strategy', 'examples/sma-cross.mjs'], /bad\.json.*line 3.*BAD\/X.*2018-01-20T05:01:00\.000Z.*high/);
  });
  it('module without a strategy', () => {
    const mod = join(tmp, 'not-a-strategy.mjs');
    writeFileSync(mod, 'export default { name: "x", interval: "7m" };\n');
    expectUserError(['backtest', '--demo', '--strategy', mod], /not-a-strategy\.mjs.*(interval|getSignal)/);
  });
  it('config with an unknown key', () => {
    const cfg = join(tmp, 'cfg.json');
    writeFileSync(cfg, '{"feePercent": 0.05, "feePrecent": 1}');
    expectUserError(['backtest', '--demo', '--config', cfg], /feePrecent/);
  });
});
