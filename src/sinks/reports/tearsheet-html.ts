import { formatPrice } from '../../core/format.js';
import { escapeHtml } from './html-escape.js';
import { htmlTable, utcMinute } from './html-page.js';
import { formatDuration, formatMetric, signClass } from './report-format.js';
import { lineChart, type ChartMark } from './svg-chart.js';
import type { Tearsheet } from './tearsheet.js';
import { portfolioLines } from './tearsheet-lines.js';
import type { TradeGroup } from './trade-groups.js';
import type { DrawdownPeriod } from './equity-digest.js';

/*
 * The account sections of the HTML report. Charts are drawn 900 units wide with 14-unit labels: shrunk into an
 * 800 px window their labels stay about 11 px, widened to 1180 px about 17 px.
 */

const CHART_WIDTH = 900;
const FONT = 14;
const EQUITY_COLOR = '#2563eb';
const DRAWDOWN_COLOR = '#dc2626';
const PRICE_COLOR = '#475569';
const GAIN = '#059669';
const LOSS = '#dc2626';
/** Moved stops (SEMANTICS §13): neutral, they are neither a gain nor a loss. */
const STOP_COLOR = '#6b7280';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A metric's text in a span coloured by its sign. */
function coloured(value: number | null, text: string): string {
  const cls = signClass(value);
  return cls === '' ? escapeHtml(text) : `<span class="${cls}">${escapeHtml(text)}</span>`;
}

/** The headline cards: the `card` lines of the account metrics, same text as the table below them. */
export function accountCards(sheet: Tearsheet): string {
  const cards = portfolioLines(sheet.portfolio)
    .filter((l) => l.card)
    .map((l) => `<div class="kpi" data-metric="${escapeHtml(l.label)}"><div>${escapeHtml(l.label)}</div><div>${l.toned ? coloured(l.value, l.text) : escapeHtml(l.text)}</div></div>`);
  return `<section class="kpis" id="cards">\n${cards.join('\n')}\n</section>`;
}

export function accountTable(sheet: Tearsheet): string {
  const rows = portfolioLines(sheet.portfolio).map((l) => [escapeHtml(l.label), l.toned ? coloured(l.value, l.text) : escapeHtml(l.text)]);
  rows.push(['Stake', escapeHtml(stakeText(sheet))]);
  if (sheet.rejectedStakes > 0) rows.push(['Stakes rejected (insufficient balance)', formatMetric(sheet.rejectedStakes, 'count')]);
  return htmlTable(['Account', 'Value'], rows, [false, true]);
}

export function stakeText(sheet: Tearsheet): string {
  const stake = sheet.money.stake;
  if (typeof stake === 'number') return `${formatMetric(stake, 'money')} per position`;
  if ('equityPercent' in stake) return `${stake.equityPercent}% of equity per position`;
  return `sizing: ${stake.method}`;
}

const moneyTick = (v: number, decimals: number) => formatMetric(Number(v.toFixed(Math.min(decimals, 2))), 'money').replace(/\.00$/, '');
const percentTick = (v: number, decimals: number) => `${v < 0 ? '−' : ''}${Math.abs(v).toFixed(decimals)}%`;

/** Equity in money, and under it the drawdown from the running peak in %. */
export function equityCharts(sheet: Tearsheet): string {
  const xDomain = sheet.period === null ? undefined : ([sheet.period.from, sheet.period.to] as const);
  const common = { width: CHART_WIDTH, fontSize: FONT, xDomain, empty: 'No candles' };
  return [
    '<section id="equity">',
    '<h2>Equity (money, marked to market at every candle close)</h2>',
    lineChart([{ name: 'Equity', color: EQUITY_COLOR, points: sheet.equity }], { ...common, title: 'Equity', height: 300, includeZero: false, formatY: moneyTick }),
    '<h2>Drawdown of equity from its running peak (%)</h2>',
    lineChart([{ name: 'Drawdown', color: DRAWDOWN_COLOR, points: sheet.drawdown, fill: true, markMin: true }], {
      ...common,
      title: 'Drawdown',
      height: 190,
      nonPositive: true,
      formatY: percentTick,
    }),
    '</section>',
  ].join('\n');
}

/** Years down, months across, each cell coloured by its return (deeper for larger moves), and the year's return. */
export function monthlyHeatmap(sheet: Tearsheet): string {
  if (sheet.monthly.length === 0) return '<section id="monthly"><h2>Monthly returns</h2><p class="muted">No candles.</p></section>';
  const byYear = new Map<number, Map<number, number>>();
  for (const m of sheet.monthly) {
    let row = byYear.get(m.year);
    if (row === undefined) byYear.set(m.year, (row = new Map()));
    row.set(m.month, m.returnPercent);
  }
  const scale = Math.max(...sheet.monthly.map((m) => Math.abs(m.returnPercent)), 1e-12);
  const cell = (r: number | undefined) => {
    if (r === undefined) return '<td class="hm-empty"></td>';
    const alpha = (0.12 + 0.6 * Math.min(1, Math.abs(r) / scale)).toFixed(2);
    const rgb = r >= 0 ? '5,150,105' : '220,38,38';
    return `<td class="num" style="background:rgba(${rgb},${alpha})">${escapeHtml(formatMetric(r, 'signedPercent'))}</td>`;
  };
  const rows = [...byYear].map(([year, months]) => {
    const compounded = ([...months.values()].reduce((acc, r) => acc * (1 + r / 100), 1) - 1) * 100;
    const cells = MONTHS.map((_, i) => cell(months.get(i + 1)));
    return `<tr><th>${year}</th>${cells.join('')}<td class="num"><strong>${escapeHtml(formatMetric(compounded, 'signedPercent'))}</strong></td></tr>`;
  });
  return [
    '<section id="monthly">',
    '<h2>Monthly returns (equity, UTC months)</h2>',
    '<div class="wide">',
    `<table class="heatmap">\n<thead><tr><th></th>${MONTHS.map((m) => `<th class="num">${m}</th>`).join('')}<th class="num">Year</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    '</div>',
    '</section>',
  ].join('\n');
}

function drawdownRow(d: DrawdownPeriod, i: number): string[] {
  return [
    String(i + 1),
    utcMinute(d.start),
    utcMinute(d.trough),
    d.recovery === null ? '<span class="muted">not recovered</span>' : utcMinute(d.recovery),
    coloured(-d.depth, formatMetric(-d.depth, 'percent')),
    escapeHtml(formatDuration(d.lengthMs / 60_000)),
  ];
}

export function drawdownTable(sheet: Tearsheet): string {
  const body =
    sheet.drawdowns.length === 0
      ? '<p class="muted">The equity never fell below its peak.</p>'
      : htmlTable(['#', 'Start (peak)', 'Trough', 'Recovery', 'Depth', 'Length'], sheet.drawdowns.map(drawdownRow), [true, false, false, false, true, true]);
  return `<section id="drawdowns">\n<h2>Deepest drawdowns (UTC)</h2>\n<div class="wide">\n${body}\n</div>\n</section>`;
}

function groupTable(title: string, keyLabel: string, groups: readonly TradeGroup[], id: string): string {
  const hasProfit = groups.some((g) => g.profit !== null);
  const header = [keyLabel, 'Trades', 'Win rate', ...(hasProfit ? ['Profit'] : []), 'PnL (per-trade Σ)', 'Avg duration'];
  const rows = groups.map((g) => [
    escapeHtml(g.key),
    formatMetric(g.trades, 'count'),
    escapeHtml(formatMetric(g.winRate, 'percent')),
    ...(hasProfit ? [coloured(g.profit, formatMetric(g.profit, 'money'))] : []),
    coloured(g.pnlPercent, formatMetric(g.pnlPercent, 'signedPercent')),
    escapeHtml(formatDuration(g.avgDurationMinutes)),
  ]);
  const body = groups.length === 0 ? '<p class="muted">No closed trades.</p>' : htmlTable(header, rows, header.map((_, i) => i > 0));
  return `<section id="${id}">\n<h2>${escapeHtml(title)}</h2>\n<div class="wide">\n${body}\n</div>\n</section>`;
}

export function groupTables(sheet: Tearsheet): string {
  const parts = [groupTable('By symbol', 'Symbol', sheet.tables.bySymbol, 'by-symbol'), groupTable('By exit reason', 'Exit reason', sheet.tables.byReason, 'by-reason')];
  if (sheet.tables.byStrategy.length > 1) parts.push(groupTable('By strategy', 'Strategy', sheet.tables.byStrategy, 'by-strategy'));
  return parts.join('\n');
}

/** One price chart per drawn symbol: closes, ▲/▼ at entries (long/short), ✕ at exits (green gain, red loss). */
export function priceCharts(sheet: Tearsheet): string {
  if (sheet.prices.length === 0) return '';
  const charts = sheet.prices.map((p) => {
    const marks: ChartMark[] = p.marks.map((m): ChartMark => {
      if (m.kind === 'entry') {
        return { x: m.time, y: m.price, shape: m.position === 'long' ? 'up' : 'down', color: EQUITY_COLOR, title: `${m.position} entry ${utcMinute(m.time)} at ${formatPrice(m.price)}` };
      }
      if (m.kind === 'stop') return { x: m.time, y: m.price, shape: 'dash', color: STOP_COLOR, title: `stop moved ${utcMinute(m.time)} to ${formatPrice(m.price)}` };
      const what = m.kind === 'partial' ? 'partial exit' : 'exit';
      return {
        x: m.time,
        y: m.price,
        shape: m.kind === 'partial' ? 'small-cross' : 'cross',
        color: (m.pnl ?? 0) > 0 ? GAIN : LOSS,
        title: `${what} ${utcMinute(m.time)} at ${formatPrice(m.price)} (${formatMetric(m.pnl, 'signedPercent')})`,
      };
    });
    const shownTrades = p.marks.filter((m) => m.kind === 'exit').length;
    const note = shownTrades < p.trades ? ` — marks for ${shownTrades} of ${p.trades} trades` : '';
    return [
      `<figure class="price" data-symbol="${escapeHtml(p.symbol)}">`,
      `<figcaption><strong>${escapeHtml(p.symbol)}</strong> <span class="muted">${escapeHtml(p.interval)} closes, ${formatMetric(p.trades, 'count')} trades${escapeHtml(note)}</span></figcaption>`,
      lineChart([{ name: `${p.symbol} close`, color: PRICE_COLOR, points: p.closes }], {
        width: CHART_WIDTH,
        height: 240,
        fontSize: FONT,
        title: `${p.symbol} price`,
        includeZero: false,
        formatY: (v, d) => formatPrice(Number(v.toFixed(Math.min(d, 12)))),
        marks,
        empty: 'No candles',
      }),
      '</figure>',
    ].join('\n');
  });
  const more = sheet.undrawnSymbols.length > 0 ? `<p class="muted">Not drawn (more than ${sheet.prices.length} symbols): ${sheet.undrawnSymbols.map(escapeHtml).join(', ')}</p>` : '';
  return [
    '<section id="prices">',
    '<h2>Prices with entries (▲ long, ▼ short), exits (✕ green gain, red loss), partial exits (small ✕) and the last moved stop of a trade (–)</h2>',
    ...charts,
    more,
    '</section>',
  ].filter((l) => l !== '').join('\n');
}

/** The run's inputs: tickflow's version, the data files and their spans, strategies, money and config. */
export function inputsSection(sheet: Tearsheet): string {
  const { inputs } = sheet;
  const data = htmlTable(
    ['Symbol', 'Interval', 'File', 'From (UTC)', 'To (UTC)', 'Candles'],
    sheet.data.map((d) => [escapeHtml(d.symbol), escapeHtml(d.interval), d.file === null ? '<span class="muted">—</span>' : `<code>${escapeHtml(d.file)}</code>`, utcMinute(d.from), utcMinute(d.to), formatMetric(d.candles, 'count')]),
    [false, false, false, false, false, true],
  );
  const strategies =
    inputs.strategies.length === 0
      ? ''
      : htmlTable(
          ['Strategy', 'File'],
          inputs.strategies.map((s) => [escapeHtml(s.name), s.file === null ? '<span class="muted">built in</span>' : `<code>${escapeHtml(s.file)}</code>`]),
          [false, false],
        );
  const config = compactJson({ balance: sheet.money.balance, stake: sheet.money.stake, ...inputs.config });
  return [
    '<section id="inputs">',
    '<h2>Inputs</h2>',
    `<p>tickflow ${escapeHtml(inputs.version)}${inputs.configFile === null ? '' : ` · config <code>${escapeHtml(inputs.configFile)}</code>`}</p>`,
    `<div class="wide">\n${data}\n</div>`,
    strategies === '' ? '' : `<div class="wide">\n${strategies}\n</div>`,
    '<h2>Configuration</h2>',
    `<pre>${escapeHtml(config)}</pre>`,
    '</section>',
  ].filter((l) => l !== '').join('\n');
}

/** JSON with one key per line, but arrays and objects that fit in 60 characters kept on one line (`[10, 20, 30]`). */
export function compactJson(value: unknown, indent = ''): string {
  const flat = inlineJson(value);
  if (value === null || typeof value !== 'object' || flat.length <= 60) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
