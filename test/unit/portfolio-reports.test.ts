import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedEvent, type SignalEvent } from '../../src/core/events.js';
import { computeHeat } from '../../src/core/heat.js';
import type { Signal } from '../../src/core/signal.js';
import { computeStatistics } from '../../src/core/stats.js';
import { rankStrategies } from '../../src/core/walker-rank.js';
import { heatJsonReport, heatMarkdownReport } from '../../src/sinks/reports/heat.js';
import { partialJsonReport, partialMarkdownReport } from '../../src/sinks/reports/partial.js';
import { formatMetric, walkerJsonReport, walkerMarkdownReport } from '../../src/sinks/reports/walker.js';
import { writeWalkerReports } from '../../src/sinks/reports/write-walker.js';

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-reports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
function closed(symbol: string, strategy: string, p: number): SignalEvent {
  const s: Signal = {
    id: `r${seq++}`,
    position: 'long',
    priceOpen: 100,
    priceTakeProfit: 110,
    priceStopLoss: 90,
    minuteEstimatedTime: 600,
    scheduledAt: 0,
    pendingAt: 0,
    note: null,
  };
  const pnl = { pnlPercentage: p, priceOpen: 100, priceClose: 100, priceOpenAdjusted: 100, priceCloseAdjusted: 100 };
  return closedEvent({ symbol, strategy }, s, 60_000 * seq, p > 0 ? 'take_profit' : 'stop_loss', pnl);
}

/** The data rows of the markdown table (after the header and the separator). */
function tableRows(md: string): string[][] {
  const lines = md.split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) => l.slice(2, -2).split(' | '));
}

describe('partial report', () => {
  const stats = { totalProfit: 3, totalLoss: 1, levels: [{ level: 10, profit: 2, loss: 1 }, { level: 20, profit: 1, loss: 0 }] };

  it('markdown: one row per level and the totals', () => {
    const md = partialMarkdownReport(stats);
    expect(md.startsWith('# Partial milestones\n')).toBe(true);
    expect(tableRows(md)).toEqual([
      ['10%', '2', '1'],
      ['20%', '1', '0'],
    ]);
    expect(md).toContain('Total: 3 partial_profit, 1 partial_loss');
    expect(partialMarkdownReport({ totalProfit: 0, totalLoss: 0, levels: [] })).toContain('No partial milestone was reached.');
  });

  it('JSON round-trips the statistics', () => {
    expect(JSON.parse(partialJsonReport(stats))).toEqual(stats);
  });
});

describe('heat report', () => {
  const heat = computeHeat([closed('ETH/BTC', 'a', 2), closed('ADA/BTC', 'a', -1), closed('ETH/BTC', 'a', 1), closed('ADA/BTC', 'a', 3)]);

  it('markdown: the rows in heat order, then the portfolio totals', () => {
    const rows = tableRows(heatMarkdownReport(heat));
    expect(rows.map((r) => r[0])).toEqual([...heat.rows.map((r) => r.symbol), '**Portfolio (2 symbols)**']);
    expect(rows[0]![5]).toBe(heat.rows[0]!.statistics.sharpeRatio!.toFixed(4));
    expect(rows[2]![1]).toBe('4');
    expect(rows[2]![3]).toBe('5.0000%');
  });

  it('JSON round-trips the heat statistics (nulls stay null)', () => {
    expect(JSON.parse(heatJsonReport(heat))).toEqual(heat);
    const empty = computeHeat([]);
    expect(JSON.parse(heatJsonReport(empty)).totals.statistics.sharpeRatio).toBeNull();
  });
});

describe('walker report', () => {
  const ranking = rankStrategies(
    [
      { strategy: 'slow', statistics: computeStatistics([closed('X', 'slow', -1), closed('X', 'slow', 2)]) },
      { strategy: 'fast', statistics: computeStatistics([closed('X', 'fast', 1), closed('X', 'fast', 3)]) },
      { strategy: 'idle', statistics: computeStatistics([]) },
    ],
    'totalPnl',
  );

  it('markdown: metric, best strategy and rows in rank order', () => {
    const md = walkerMarkdownReport(ranking);
    expect(md).toContain('Metric: totalPnl (higher is better). Best: fast (totalPnl 4.0000%).');
    expect(tableRows(md).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['1', 'fast', '4.0000%'],
      ['2', 'slow', '1.0000%'],
      ['3', 'idle', '—'],
    ]);
    expect(walkerMarkdownReport(rankStrategies(ranking.strategies, 'maxDrawdown'))).toContain('(lower is better)');
  });

  it('JSON: metric, best, and every strategy with its statistics', () => {
    const json = JSON.parse(walkerJsonReport(ranking));
    expect(json.metric).toBe('totalPnl');
    expect(json.bestStrategy).toBe('fast');
    expect(json.bestValue).toBe(4);
    expect(json.strategies.map((s: { strategy: string; rank: number }) => [s.rank, s.strategy])).toEqual([
      [1, 'fast'],
      [2, 'slow'],
      [3, 'idle'],
    ]);
    expect(json.strategies[2].value).toBeNull();
    expect(json.strategies[0].statistics.totalSignals).toBe(2);
  });

  it('formatMetric: percentages for the % metrics, plain ratios otherwise, — for none', () => {
    expect(formatMetric('winRate', 50)).toBe('50.0000%');
    expect(formatMetric('maxDrawdown', 1.25)).toBe('1.2500%');
    expect(formatMetric('sharpeRatio', 0.5)).toBe('0.5000');
    expect(formatMetric('profitFactor', null)).toBe('—');
  });

  it('writeWalkerReports writes walker.md and walker.json', async () => {
    const dir = join(tmp, 'nested', 'reports');
    const written = await writeWalkerReports(dir, ranking);
    expect(written).toEqual([join(dir, 'walker.md'), join(dir, 'walker.json')]);
    expect(readFileSync(written[0]!, 'utf8')).toBe(walkerMarkdownReport(ranking));
    expect(readFileSync(written[1]!, 'utf8')).toBe(walkerJsonReport(ranking));
  });
});
