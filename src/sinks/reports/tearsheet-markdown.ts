import { isoTime } from '../../core/time.js';
import { formatDuration, formatMetric } from './report-format.js';
import type { Tearsheet } from './tearsheet.js';
import { stakeText } from './tearsheet-html.js';
import { portfolioLines } from './tearsheet-lines.js';
import type { TradeGroup } from './trade-groups.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

function groupTable(keyLabel: string, groups: readonly TradeGroup[]): string {
  const hasProfit = groups.some((g) => g.profit !== null);
  return table(
    [keyLabel, 'Trades', 'Win rate', ...(hasProfit ? ['Profit'] : []), 'PnL (per-trade Σ)', 'Avg duration'],
    groups.map((g) => [
      g.key,
      formatMetric(g.trades, 'count'),
      formatMetric(g.winRate, 'percent'),
      ...(hasProfit ? [formatMetric(g.profit, 'money')] : []),
      formatMetric(g.pnlPercent, 'signedPercent'),
      formatDuration(g.avgDurationMinutes),
    ]),
  );
}

/** The account's part of the markdown report: the same numbers, with the same text, as the HTML cards and tables. */
export function tearsheetMarkdown(sheet: Tearsheet): string[] {
  const parts: string[] = [];
  parts.push(`Balance ${formatMetric(sheet.money.balance, 'money')}, stake ${stakeText(sheet)}.`, '');
  parts.push('## Account', '', table(['Metric', 'Value'], portfolioLines(sheet.portfolio).map((l) => [l.label, l.text])), '');
  if (sheet.rejectedStakes > 0) parts.push(`Stakes rejected (insufficient balance): ${sheet.rejectedStakes}`, '');
  parts.push('## Deepest drawdowns', '');
  parts.push(
    sheet.drawdowns.length === 0
      ? 'The equity never fell below its peak.'
      : table(
          ['#', 'Start (peak)', 'Trough', 'Recovery', 'Depth', 'Length'],
          sheet.drawdowns.map((d, i) => [
            i + 1,
            isoTime(d.start),
            isoTime(d.trough),
            d.recovery === null ? 'not recovered' : isoTime(d.recovery),
            formatMetric(-d.depth, 'percent'),
            formatDuration(d.lengthMs / 60_000),
          ]),
        ),
    '',
  );
  if (sheet.monthly.length > 0) {
    const years = [...new Set(sheet.monthly.map((m) => m.year))];
    parts.push(
      '## Monthly returns',
      '',
      table(
        ['Year', ...MONTHS],
        years.map((y) => [y, ...MONTHS.map((_, i) => formatMetric(sheet.monthly.find((m) => m.year === y && m.month === i + 1)?.returnPercent, 'signedPercent'))]),
      ),
      '',
    );
  }
  parts.push('## By symbol', '', groupTable('Symbol', sheet.tables.bySymbol), '');
  parts.push('## By exit reason', '', groupTable('Exit reason', sheet.tables.byReason), '');
  if (sheet.tables.byStrategy.length > 1) parts.push('## By strategy', '', groupTable('Strategy', sheet.tables.byStrategy), '');
  parts.push(
    '## Inputs',
    '',
    `tickflow ${sheet.inputs.version}${sheet.inputs.configFile === null ? '' : `, config ${sheet.inputs.configFile}`}`,
    '',
    table(
      ['Symbol', 'Interval', 'File', 'From', 'To', 'Candles'],
      sheet.data.map((d) => [d.symbol, d.interval, d.file ?? '—', isoTime(d.from), isoTime(d.to), formatMetric(d.candles, 'count')]),
    ),
    '',
  );
  if (sheet.inputs.strategies.length > 0) {
    parts.push(table(['Strategy', 'File'], sheet.inputs.strategies.map((s) => [s.name, s.file ?? 'built in'])), '');
  }
  return parts;
}

/** The account's part of the JSON report: statistics as numbers (percent fields are plain numbers, 1.5 = 1.5 %). */
export function tearsheetJson(sheet: Tearsheet): Record<string, unknown> {
  return {
    period: sheet.period,
    money: sheet.money,
    portfolio: sheet.portfolio,
    rejectedStakes: sheet.rejectedStakes,
    drawdowns: sheet.drawdowns,
    monthlyReturns: sheet.monthly,
    bySymbol: sheet.tables.bySymbol,
    byExitReason: sheet.tables.byReason,
    byStrategyTrades: sheet.tables.byStrategy,
    equityCurve: { points: sheet.equityPoints, downsampled: sheet.equity.map((p) => ({ time: p.x, equity: p.y })) },
    data: sheet.data,
    inputs: sheet.inputs,
  };
}
