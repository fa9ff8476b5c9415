import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, SHARED_DATA } from './run-cli.js';

const DATA = join(SHARED_DATA, 'ETH_BTC-1m.json');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`cli-walk-forward: ${DATA} is missing: the real-data walk-forward is skipped`);

const dir = mkdtempSync(join(tmpdir(), 'tickflow-wf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const study = ['--candles', DATA, '--symbol', 'ETH/BTC', '--strategy', 'examples/sma-cross.mjs'];

interface FoldJson {
  index: number;
  train: { from: number; to: number };
  test: { from: number; to: number };
  params: Record<string, number> | null;
  name: string | null;
  trials: number;
  trainStatistics: Record<string, unknown> | null;
  testStatistics: Record<string, unknown> | null;
}

describe('tickflow walk-forward', () => {
  it('a missing --train is one line (exit 2)', () => {
    const r = runCli(['walk-forward', ...study, '--test', '1d']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('tickflow: --train: give the train window length, e.g. --train 30d');
    const bad = runCli(['walk-forward', ...study, '--train', '3x', '--test', '1d']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--train: "3x" is not a duration');
  });

  it.skipIf(!HAVE_DATA)('each fold tests its train choice; a fold\'s test statistics equal backtest --timerange TEST --param CHOSEN; same seed → same bytes', () => {
    const args = ['walk-forward', ...study, '--train', '3d', '--test', '1d', '--step', '2d', '--purge', '1h', '--holdout', '1d', '--sampler', 'tpe', '--trials', '8', '--batch-size', '4', '--seed', '3'];
    const a = join(dir, 'a');
    const r = runCli([...args, '--report', a]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(join(a, 'walk-forward.json'), 'utf8');
    const report = JSON.parse(text) as { folds: FoldJson[]; outOfSample: { statistics: { totalSignals: number } }; overfitting: { trials: number }; holdout: unknown };
    expect(report.folds.length).toBe(3);
    expect(report.overfitting.trials).toBe(report.folds.reduce((n, f) => n + f.trials, 0));
    expect(report.holdout).not.toBeNull();
    for (const f of report.folds) {
      expect(f.train.to + 3_600_000).toBe(f.test.from);
      expect(f.test.to - f.test.from).toBe(86_400_000);
    }
    const tested = report.folds.filter((f) => f.params !== null && (f.testStatistics?.totalSignals as number) > 0);
    expect(tested.length).toBeGreaterThan(0);
    expect(report.outOfSample.statistics.totalSignals).toBe(report.folds.reduce((n, f) => n + ((f.testStatistics?.totalSignals as number | undefined) ?? 0), 0));
    for (const f of tested.slice(0, 2)) {
      const out = join(dir, `fold-${f.index}`);
      const params = Object.entries(f.params!).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
      const b = runCli(['backtest', ...study, ...params, '--timerange', `${f.test.from}..${f.test.to}`, '--no-progress', '--report', out]);
      expect(b.code).toBe(0);
      const alone = JSON.parse(readFileSync(join(out, 'backtest.json'), 'utf8')) as { statistics: unknown };
      expect(alone.statistics).toEqual(f.testStatistics);
    }
    const b = join(dir, 'b');
    expect(runCli([...args, '--report', b]).code).toBe(0);
    expect(readFileSync(join(b, 'walk-forward.json'), 'utf8')).toBe(text);
  });

  it.skipIf(!HAVE_DATA)('--timerange: the folds and the holdout lie inside FROM..TO', () => {
    const a = join(dir, 'range');
    const r = runCli(['walk-forward', ...study, '--train', '2d', '--test', '1d', '--holdout', '12h', '--trials', '4', '--seed', '5', '--timerange', '2018-01-22..2018-01-28', '--report', a]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(a, 'walk-forward.json'), 'utf8')) as { study: { timerange: { from: number; to: number } }; folds: FoldJson[]; holdout: { window: { from: number; to: number } } };
    const from = Date.UTC(2018, 0, 22);
    const to = Date.UTC(2018, 0, 28);
    expect(report.study.timerange).toMatchObject({ from, to });
    expect(report.folds.map((f) => (f.train.from - from) / 86_400_000)).toEqual([0, 1, 2]);
    for (const f of report.folds) expect(f.test.to).toBeLessThanOrEqual(report.holdout.window.from);
    expect(report.holdout.window.to).toBeLessThanOrEqual(to);
  });
});
