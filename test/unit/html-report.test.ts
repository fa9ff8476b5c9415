import { describe, expect, it } from 'vitest';
import { closedEvent, signalEvent, type ClosedEvent, type SignalEvent } from '../../src/core/events.js';
import { rankStrategies } from '../../src/core/walker-rank.js';
import { downsample } from '../../src/sinks/reports/downsample.js';
import { drawdownCurve, equityCurve } from '../../src/sinks/reports/equity.js';
import { htmlReport } from '../../src/sinks/reports/html.js';
import { summarizeEvents } from '../../src/sinks/reports/summary.js';
import { walkerHtmlReport } from '../../src/sinks/reports/walker-html.js';

const M = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** n trades, one every 37 minutes, alternating two symbols; pnl from a fixed LCG so the curve wanders. */
function trades(n: number, strategy = 'sma', symbols = ['ADA/BTC', 'ETH/USDT']): SignalEvent[] {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: SignalEvent[] = [];
  for (let i = 0; i < n; i++) {
    const open = T0 + i * 37 * M;
    const lane = { symbol: symbols[i % symbols.length]!, strategy };
    const signal = {
      id: `s${i}`,
      position: i % 3 === 0 ? ('short' as const) : ('long' as const),
      priceOpen: 0.00005,
      priceTakeProfit: 0.000051,
      priceStopLoss: 0.000049,
      minuteEstimatedTime: 60,
      scheduledAt: open,
      pendingAt: open,
      note: null,
    };
    out.push(signalEvent('opened', lane, signal, open));
    const pnl = (random() - 0.47) * 2;
    out.push(
      closedEvent(lane, signal, open + 30 * M, pnl > 0 ? 'take_profit' : 'stop_loss', {
        pnlPercentage: pnl,
        priceOpen: 0.00005,
        priceClose: 0.0000501,
        priceOpenAdjusted: 0.00005005,
        priceCloseAdjusted: 0.00005005,
      }),
    );
  }
  return out;
}

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input']);
const TAG = /<!DOCTYPE html>|<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;

/**
 * A small well-formedness check: every tag is syntactically complete with quoted attributes, every opened element
 * is closed in order (void HTML elements and `/>` excepted), and no `<` or `>` is left in the text between tags.
 */
function assertWellFormed(html: string): void {
  const stack: string[] = [];
  const problems: string[] = [];
  let last = 0;
  for (const m of html.matchAll(TAG)) {
    if (/[<>]/.test(html.slice(last, m.index))) problems.push(`stray markup before offset ${m.index}`);
    last = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (name === undefined || selfClosing === '/' || VOID.has(name)) continue;
    if (closing !== '/') stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> at offset ${m.index} closes another element`);
  }
  if (/[<>]/.test(html.slice(last))) problems.push('stray markup at the end');
  expect(problems).toEqual([]);
  expect(stack).toEqual([]);
}

function polylines(html: string): string[][] {
  return [...html.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!.split(' '));
}

const closedOf = (events: SignalEvent[]) => events.filter((e): e is ClosedEvent => e.action === 'closed');

describe('htmlReport', () => {
  it('is a well-formed, self-contained page (no network, no scripts)', () => {
    const html = htmlReport(summarizeEvents(trades(50)));
    assertWellFormed(html);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const urls = html.match(/https?:\/\/[^\s"')]*/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
  });

  it('escapes user strings: a strategy named <script> and symbols with quotes and ampersands', () => {
    const events = [...trades(3, '<script>alert(1)</script>', ['A"B&C/BTC']), ...trades(2, "it's", ["<img src=x onerror='1'>"])];
    const html = htmlReport(summarizeEvents(events), { title: 'Run <b>1</b>' });
    assertWellFormed(html);
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('A&quot;B&amp;C/BTC');
    expect(html).toContain('it&#39;s');
    expect(html).toContain('<title>Run &lt;b&gt;1&lt;/b&gt;</title>');
  });

  it('formats tiny prices by significant digits, never in exponent notation', () => {
    const html = htmlReport(summarizeEvents(trades(2)));
    expect(html).toContain('<td class="num">0.00005</td>');
    expect(html).toContain('<td class="num">0.0000501</td>');
    expect(html).not.toMatch(/\de-\d/);
  });

  it('0 trades: says so instead of drawing empty charts', () => {
    const html = htmlReport(summarizeEvents([]));
    assertWellFormed(html);
    expect(polylines(html)).toEqual([]);
    expect(html.match(/No closed signals/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('1 trade: the equity steps from 0 to the trade pnl at its close', () => {
    const events = trades(1);
    const summary = summarizeEvents(events);
    const html = htmlReport(summary);
    assertWellFormed(html);
    const [equity, drawdown] = polylines(html);
    // Start at 0, hold until the close, then the pnl: three points.
    expect(equity).toHaveLength(3);
    expect(drawdown!.length).toBeGreaterThanOrEqual(2);
    expect(equityCurve(summary.closed, summary.from!)).toEqual([
      { x: T0, y: 0 },
      { x: T0 + 30 * M, y: summary.statistics.totalPnl },
    ]);
  });

  it('10 000 trades: bounded polylines that keep the true extremes and end at totalPnl', () => {
    const events = trades(10_000);
    const summary = summarizeEvents(events);
    const html = htmlReport(summary);
    assertWellFormed(html);
    const lines = polylines(html);
    expect(lines).toHaveLength(2);
    for (const points of lines) expect(points.length).toBeLessThanOrEqual(1200);
    const polygons = [...html.matchAll(/<polygon points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    for (const n of polygons) expect(n).toBeLessThanOrEqual(1202);
    expect(html.match(/<tr>/g)!.length).toBeGreaterThanOrEqual(10_001);

    const equity = equityCurve(summary.closed, summary.from!);
    expect(equity.at(-1)!.y).toBe(summary.statistics.totalPnl);
    const drawn = downsample(equity, 1200);
    expect(drawn.at(-1)).toBe(equity.at(-1));
    expect(Math.max(...drawn.map((p) => p.y))).toBe(Math.max(...equity.map((p) => p.y)));
    expect(Math.min(...drawn.map((p) => p.y))).toBe(Math.min(...equity.map((p) => p.y)));
    const deepest = Math.min(...drawdownCurve(equity).map((p) => p.y));
    expect(deepest === -summary.statistics.maxDrawdown!).toBe(true);
  });

  it('is deterministic: the same events give the same bytes', () => {
    const events = trades(300);
    expect(htmlReport(summarizeEvents(events))).toBe(htmlReport(summarizeEvents(structuredClone(events))));
  });
});

describe('walkerHtmlReport', () => {
  const events = [...trades(40, 'fast'), ...trades(25, '<script>slow</script>'), ...trades(0, 'idle')];
  const summary = summarizeEvents(events);
  const ranking = rankStrategies(
    ['fast', '<script>slow</script>', 'idle'].map((strategy) => ({
      strategy,
      statistics: summarizeEvents(events.filter((e) => e.strategy === strategy)).statistics,
    })),
    'totalPnl',
  );

  it('draws one equity curve per strategy that traded and ranks them, escaped and well-formed', () => {
    const html = walkerHtmlReport(ranking, closedOf(events), { from: summary.from, to: summary.to });
    assertWellFormed(html);
    expect(polylines(html)).toHaveLength(2);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;slow&lt;/script&gt;');
    const rows = [...html.matchAll(/<tr><td class="num">(\d)<\/td><td><span class="swatch"[^>]*><\/span>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(ranking.strategies.map((r) => [String(r.rank), r.strategy.replace(/</g, '&lt;').replace(/>/g, '&gt;')]));
    const urls = html.match(/https?:\/\/[^\s"')]*/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('handles a walker where nothing traded', () => {
    const empty = rankStrategies([{ strategy: 'a', statistics: summarizeEvents([]).statistics }], 'sharpeRatio');
    const html = walkerHtmlReport(empty, []);
    assertWellFormed(html);
    expect(html).toContain('No closed signals');
  });
});
