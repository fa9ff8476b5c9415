import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalEventSchema, type SignalEvent } from '../../src/core/events.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { runCli, sharedFile } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-walker-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ethBtc = sharedFile('ETH_BTC-1m.json');
const EXAMPLES = ['examples/sma-cross.mjs', 'examples/rsi-reversion.mjs', 'examples/channel-breakout.mjs'];
const strategyFlags = EXAMPLES.flatMap((m) => ['--strategy', m]);

function readEvents(path: string): SignalEvent[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => SignalEventSchema.parse(JSON.parse(line)));
}

/** Per strategy, from the events file: closed count, total pnl, win rate and sharpe, recomputed here. */
function recompute(events: readonly SignalEvent[], strategy: string) {
  const pnls = events.flatMap((e) => (e.action === 'closed' && e.strategy === strategy ? [e.pnl.pnlPercentage] : []));
  const n = pnls.length;
  const total = pnls.reduce((a, b) => a + b, 0);
  const mean = total / n;
  const sd = Math.sqrt(pnls.reduce((a, p) => a + (p - mean) ** 2, 0) / n);
  return { n, total, winRate: (pnls.filter((p) => p > 0).length / n) * 100, sharpe: sd === 0 ? 0 : mean / sd };
}

interface WalkerJson {
  metric: string;
  bestStrategy: string | null;
  bestValue: number | null;
  strategies: Array<{ rank: number; strategy: string; value: number | null; statistics: { totalSignals: number; totalPnl: number } }>;
}

/** The walker's ranking must be the order of the metric recomputed from its own events (ties: the order given). */
function checkRanking(json: WalkerJson, events: readonly SignalEvent[], names: readonly string[], metric: 'sharpe' | 'winRate') {
  const values = names.map((name, index) => ({ name, index, ...recompute(events, name) }));
  for (const v of values) {
    const row = json.strategies.find((s) => s.strategy === v.name)!;
    expect(row.statistics.totalSignals).toBe(v.n);
    expect(row.statistics.totalPnl).toBeCloseTo(v.total, 9);
    expect(row.value).toBeCloseTo(v[metric], 9);
  }
  const expected = [...values].sort((a, b) => (Math.abs(b[metric] - a[metric]) > 1e-12 ? b[metric] - a[metric] : a.index - b.index));
  expect(json.strategies.map((s) => s.strategy)).toEqual(expected.map((v) => v.name));
  expect(json.bestStrategy).toBe(expected[0]!.name);
}

describe('tickflow walker on real candles', () => {
  it.skipIf(ethBtc === null)('ranks the example strategies by sharpeRatio, consistent with its own events', () => {
    const events = join(tmp, 'eth-events.jsonl');
    const report = join(tmp, 'eth-report');
    const r = runCli(['walker', '--candles', ethBtc!, '--symbol', 'ETH/BTC', ...strategyFlags, '--events', events, '--report', report, '--no-progress']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Walker over ETH/BTC: 3 strategies ranked by sharpeRatio');
    const json = JSON.parse(readFileSync(join(report, 'walker.json'), 'utf8')) as WalkerJson;
    expect(json.metric).toBe('sharpeRatio');
    const all = readEvents(events);
    for (const name of ['sma-cross', 'rsi-reversion', 'channel-breakout']) {
      expect(all.filter((e) => e.action === 'closed' && e.strategy === name).length).toBeGreaterThan(5);
    }
    checkRanking(json, all, ['sma-cross', 'rsi-reversion', 'channel-breakout'], 'sharpe');
    expect(r.stdout).toContain(`Best: ${json.bestStrategy} (sharpeRatio ${json.bestValue!.toFixed(4)})`);
    expect(readFileSync(join(report, 'walker.md'), 'utf8')).toContain('# Walker report');
    // The HTML page draws one equity curve per strategy that traded, from the run's own closed signals.
    const html = readFileSync(join(report, 'walker.html'), 'utf8');
    expect(html).toContain('<svg');
    for (const s of json.strategies.filter((x: { statistics: { totalSignals: number } }) => x.statistics.totalSignals > 0)) {
      expect(html).toContain(s.strategy);
    }
  });
});

describe('tickflow walker on a generated candle file', () => {
  let file: string;
  beforeAll(async () => {
    const candles = await lastValueFrom(syntheticCandles({ symbols: ['GEN/USD'], start: Date.UTC(2024, 0, 1), count: 4 * 1440, seed: 5 }).pipe(toArray()));
    file = join(tmp, 'gen.json');
    const rows = candles.map(({ candle: c }) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume]);
    writeFileSync(file, `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
  });

  it('--metric winRate, --events -, --report: ranking on stderr, events on stdout, reports agree', () => {
    const report = join(tmp, 'gen-report');
    const r = runCli(['walker', '--candles', file, '--symbol', 'GEN/USD', ...strategyFlags, '--metric', 'winRate', '--events', '-', '--report', report]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => SignalEventSchema.parse(JSON.parse(l)));
    expect(events.filter((e) => e.action === 'closed').length).toBeGreaterThan(10);
    expect(r.stderr).toContain('ranked by winRate');
    const json = JSON.parse(readFileSync(join(report, 'walker.json'), 'utf8')) as WalkerJson;
    checkRanking(json, events, ['sma-cross', 'rsi-reversion', 'channel-breakout'], 'winRate');
    // The printed table lists the strategies in rank order.
    const printed = r.stderr.split('\n').filter((l) => /^\s+\d+\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
    expect(printed).toEqual(json.strategies.map((s) => s.strategy));
  });

  it('the same run twice gives the same events', () => {
    const a = join(tmp, 'a.jsonl');
    const b = join(tmp, 'b.jsonl');
    expect(runCli(['walker', '--candles', file, '--symbol', 'GEN/USD', ...strategyFlags, '--events', a, '--no-progress']).code).toBe(0);
    expect(runCli(['walker', '--candles', file, '--symbol', 'GEN/USD', ...strategyFlags, '--events', b, '--no-progress']).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });

  describe('user errors: one line, exit code 2', () => {
    const expectUserError = (args: string[], pattern: RegExp) => {
      const r = runCli(['walker', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    };
    it('unknown metric', () => expectUserError(['--candles', file, '--symbol', 'G', ...strategyFlags, '--metric', 'omega'], /--metric: .*sharpeRatio/));
    it('no strategy', () => expectUserError(['--candles', file, '--symbol', 'G'], /--strategy/));
    it('no candles', () => expectUserError([...strategyFlags], /--candles/));
    it('the same strategy twice', () =>
      expectUserError(['--candles', file, '--symbol', 'G', '--strategy', EXAMPLES[0]!, '--strategy', EXAMPLES[0]!], /two strategies are named 'sma-cross'/));
  });

  it('--help prints the usage with the metrics', () => {
    const r = runCli(['walker', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('maxDrawdown is minimised');
  });
});
