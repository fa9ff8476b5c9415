import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, SHARED_DATA } from './run-cli.js';

const DATA = join(SHARED_DATA, 'ETH_BTC-1m.json');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`cli-optimize: ${DATA} is missing: the real-data studies are skipped`);

const dir = mkdtempSync(join(tmpdir(), 'tickflow-optimize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STRATEGY = 'examples/sma-cross.mjs';
const WINDOW = '2018-01-22..2018-01-28T12:00';
const study = ['--candles', DATA, '--symbol', 'ETH/BTC', '--strategy', STRATEGY];

interface TrialJson {
  id: number;
  name: string;
  params: Record<string, number>;
  statistics: Record<string, unknown>;
  objective: number | null;
}

describe('tickflow backtest --param', () => {
  it('a value outside the space is one line naming the strategy, the parameter and the rule (exit 2)', () => {
    const r = runCli(['backtest', ...study, '--param', 'fast=99', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('strategy "sma-cross", parameter "fast": --param value 99 is outside 3..15');
    const unknown = runCli(['backtest', ...study, '--param', 'speed=3', '--no-progress']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('parameter "speed": no such parameter (declared: fast, slow)');
  });

  it('a bad --timerange is one line (exit 2)', () => {
    const r = runCli(['backtest', ...study, '--timerange', '2018-01-28..2018-01-22', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timerange: time range "2018-01-28..2018-01-22": FROM 2018-01-28T00:00:00.000Z is not before TO');
  });

  it.skipIf(!HAVE_DATA)('runs one candidate: events named NAME[k=v,…], the defaults for the rest', () => {
    const events = join(dir, 'param.jsonl');
    const r = runCli(['backtest', ...study, '--param', 'fast=5', '--no-progress', '--events', events]);
    expect(r.code).toBe(0);
    const lines = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { strategy: string });
    expect(lines.length).toBeGreaterThan(0);
    for (const e of lines) expect(e.strategy).toBe('sma-cross[fast=5,slow=25]');
  });
});

describe.skipIf(!HAVE_DATA)('tickflow optimize on real data', () => {
  const run = (report: string, extra: string[] = []) =>
    runCli(['optimize', ...study, '--sampler', 'random', '--trials', '9', '--seed', '11', '--batch-size', '4', '--timerange', WINDOW, '--report', report, ...extra]);

  it('three sampled trials have exactly the statistics of backtest --param --timerange runs of them; same seed → same bytes, also with --workers 2', () => {
    const a = join(dir, 'a');
    const r = run(a, ['--events-best', join(dir, 'best.jsonl')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(join(a, 'optimize.json'), 'utf8');
    const report = JSON.parse(text) as { trials: TrialJson[]; best: TrialJson; ranking: number[]; overfitting: { dsr: { N: number }; pbo: { N: number } } };
    expect(report.trials.map((t) => t.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(report.overfitting.dsr.N).toBe(9);
    expect(report.overfitting.pbo.N).toBe(9);
    expect(report.best.id).toBe(report.ranking[0]);

    // Trials from different batches: 1 (first batch), 5 (second), 9 (the last, alone in its batch).
    for (const id of [1, 5, 9]) {
      const trial = report.trials[id - 1]!;
      const out = join(dir, `trial-${id}`);
      const params = Object.entries(trial.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
      const b = runCli(['backtest', ...study, ...params, '--timerange', WINDOW, '--no-progress', '--report', out]);
      expect(b.code).toBe(0);
      const alone = JSON.parse(readFileSync(join(out, 'backtest.json'), 'utf8')) as { statistics: unknown; byStrategy: Record<string, unknown> };
      expect(trial.statistics.totalSignals).toBeGreaterThan(0);
      expect(alone.statistics).toEqual(trial.statistics);
      expect(Object.keys(alone.byStrategy)).toEqual([trial.name]);
    }

    // Same seed, the batches split over two worker threads: the same bytes.
    const again = join(dir, 'b');
    const w = run(again, ['--workers', '2']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    expect(readFileSync(join(again, 'optimize.json'), 'utf8')).toBe(text);
    expect(readFileSync(join(again, 'optimize.html'), 'utf8')).toBe(readFileSync(join(a, 'optimize.html'), 'utf8'));

    // --events-best: the best's events, as a backtest of it writes them.
    const best = readFileSync(join(dir, 'best.jsonl'), 'utf8');
    const params = Object.entries(report.best.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
    const alone = join(dir, 'best-alone.jsonl');
    expect(runCli(['backtest', ...study, ...params, '--timerange', WINDOW, '--no-progress', '--events', alone]).code).toBe(0);
    expect(best).toBe(readFileSync(alone, 'utf8'));
  });

  it('a different seed draws other trials', () => {
    const c = join(dir, 'c');
    const d = join(dir, 'd');
    expect(run(c, ['--seed', '12']).code).toBe(0);
    expect(run(d).code).toBe(0);
    expect(readFileSync(join(d, 'optimize.json'), 'utf8')).toBe(readFileSync(join(dir, 'a', 'optimize.json'), 'utf8'));
    const a = JSON.parse(readFileSync(join(d, 'optimize.json'), 'utf8')) as { trials: TrialJson[] };
    const other = JSON.parse(readFileSync(join(c, 'optimize.json'), 'utf8')) as { trials: TrialJson[] };
    expect(other.trials.map((t) => t.name)).not.toEqual(a.trials.map((t) => t.name));
  });
});
