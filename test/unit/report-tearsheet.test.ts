import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import { closedEvent, signalEvent, type SignalEvent } from '../../src/core/events.js';
import { computePnl } from '../../src/core/pnl.js';
import type { Position, Signal } from '../../src/core/signal.js';
import { EquityDigest } from '../../src/sinks/reports/equity-digest.js';
import { htmlReport } from '../../src/sinks/reports/html.js';
import { jsonReport } from '../../src/sinks/reports/json.js';
import { markdownReport } from '../../src/sinks/reports/markdown.js';
import { formatMetric } from '../../src/sinks/reports/report-format.js';
import { StreamDownsampler } from '../../src/sinks/reports/stream-downsample.js';
import { summarizeEvents } from '../../src/sinks/reports/summary.js';
import { buildTearsheet } from '../../src/sinks/reports/tearsheet.js';
import { portfolioLines } from '../../src/sinks/reports/tearsheet-lines.js';

const config = resolveConfig();
const M = 60_000;
const T0 = Date.UTC(2024, 0, 1);

function signal(id: string, position: Position, at: number, price = 42_000): Signal {
  const long = position === 'long';
  return {
    id,
    position,
    priceOpen: price,
    priceTakeProfit: long ? price * 1.1 : price * 0.9,
    priceStopLoss: long ? price * 0.9 : price * 1.1,
    minuteEstimatedTime: 60,
    scheduledAt: at,
    pendingAt: at,
    note: null,
  };
}

/** A trade on `symbol` opened at `open` (ms) at `price`, closed at `closeAt` at `close`. */
function trade(id: string, symbol: string, position: Position, open: number, price: number, closeAt: number, close: number): SignalEvent[] {
  const lane = { symbol, strategy: 's' };
  const s = signal(id, position, open, price);
  const reason = (position === 'long') === close > price ? 'take_profit' : 'stop_loss';
  return [signalEvent('opened', lane, s, open), closedEvent(lane, s, closeAt, reason, computePnl(position, price, close, config))];
}

// SEMANTICS "Reference values", Money: three trades one after another at 42000 → 43000, 41000, 41000.
const REFERENCE = [
  ...trade('t0', 'BTC/USD', 'long', T0, 42_000, T0 + M, 43_000),
  ...trade('t1', 'BTC/USD', 'long', T0 + M, 42_000, T0 + 2 * M, 41_000),
  ...trade('t2', 'BTC/USD', 'short', T0 + 2 * M, 42_000, T0 + 3 * M, 41_000),
];

/** 1m candles of each symbol from T0, a deterministic wander around `base`. */
function candles(symbols: readonly string[], n: number, base = 100): SymbolCandle[] {
  const out: SymbolCandle[] = [];
  for (let i = 0; i < n; i++) {
    symbols.forEach((symbol, k) => {
      const close = base * (1 + 0.05 * Math.sin(i / 97 + k) + 0.01 * Math.sin(i / 7));
      out.push({ symbol, interval: '1m', candle: { timestamp: T0 + i * M, open: close, high: close * 1.001, low: close * 0.999, close, volume: 1 } });
    });
  }
  return out;
}

/** The close of candle i of symbol k in {@link candles}. */
const closeAt = (i: number, k: number, base = 100) => base * (1 + 0.05 * Math.sin(i / 97 + k) + 0.01 * Math.sin(i / 7));

describe('tearsheet: the account of a run, as the reports show it', () => {
  it('reproduces the SEMANTICS §12 Money reference (stake 1000) and shows it with the same text on cards, tables and markdown', async () => {
    const sheet = await buildTearsheet({ candles: [], events: REFERENCE, money: { stake: 1000 } });
    expect(sheet.portfolio.finalEquity).toBeCloseTo(10_011.859185, 6);
    expect(sheet.portfolio.totalReturn).toBeCloseTo(0.118592, 6);
    expect(sheet.portfolio.maxDrawdown).toBeCloseTo(0.277052, 6);
    expect(sheet.tables.byReason.map((g) => [g.key, g.trades])).toEqual([['stop_loss', 1], ['take_profit', 2]]);
    expect(sheet.tables.bySymbol[0]!.profit).toBeCloseTo(11.859185, 6);

    const summary = summarizeEvents(REFERENCE);
    const html = htmlReport(summary, { tearsheet: sheet });
    const md = markdownReport(summary, 'Backtest report', sheet);
    const cards = [...html.matchAll(/<div class="kpi" data-metric="([^"]+)"><div>[^<]*<\/div><div>(?:<span[^>]*>)?([^<]*)/g)].map((m) => [m[1], m[2]]);
    expect(cards.slice(0, 3)).toEqual([
      ['Final equity', '10,011.86'],
      ['Total return', '+0.12%'],
      ['Max drawdown (equity)', '−0.28%'],
    ]);
    for (const line of portfolioLines(sheet.portfolio)) {
      expect(html).toContain(`<td>${line.label}</td><td class="num">`);
      expect(md).toContain(`| ${line.label} | ${line.text} |`);
      if (line.card) expect(cards).toContainEqual([line.label, line.text]);
    }
    const json = JSON.parse(jsonReport(summary, sheet));
    expect(json.portfolio).toEqual(JSON.parse(JSON.stringify(sheet.portfolio)));
    expect(json.statistics.totalSignals).toBe(3);
    expect(md).toContain('## Per-trade statistics');
    expect(html).toContain('Per-trade statistics');
  });

  it('the period is the data\'s span (first candle open → last candle close), not first-to-last trade', async () => {
    const data = candles(['AAA/USD'], 600);
    const events = trade('a', 'AAA/USD', 'long', T0 + 200 * M, closeAt(199, 0), T0 + 300 * M, closeAt(299, 0));
    const sheet = await buildTearsheet({ candles: data, events });
    expect(sheet.period).toEqual({ from: T0, to: T0 + 600 * M });
    expect(sheet.data).toEqual([{ symbol: 'AAA/USD', interval: '1m', from: T0, to: T0 + 600 * M, candles: 600, file: null }]);
    const md = markdownReport(summarizeEvents(events), 'Backtest report', sheet);
    expect(md).toContain("Period (the data's span): 2024-01-01T00:00:00.000Z → 2024-01-01T10:00:00.000Z");
    // The exposure is the trade's 100 minutes of the 600.
    expect(sheet.portfolio.exposure).toBeCloseTo((100 / 600) * 100, 9);
  });

  it('keeps a fixed number of points however long the run; the deepest drawdown is the statistics\' max drawdown', async () => {
    const symbols = ['A/USD', 'B/USD', 'C/USD', 'D/USD', 'E/USD', 'F/USD', 'G/USD', 'H/USD'];
    const n = 20_000;
    const data = candles(symbols, n);
    const events: SignalEvent[] = [];
    // Trades on the last two symbols only: they are charted first; ties keep the data's order.
    for (let j = 0; j < 40; j++) {
      const k = 6 + (j % 2);
      const i = 100 + j * 450;
      events.push(...trade(`x${j}`, symbols[k]!, j % 3 === 0 ? 'short' : 'long', T0 + (i + 1) * M, closeAt(i, k), T0 + (i + 201) * M, closeAt(i + 200, k)));
    }
    events.sort((a, b) => a.now - b.now);
    const sheet = await buildTearsheet({ candles: from(data), events, money: { balance: 1000, stake: { equityPercent: 50 } } });
    expect(sheet.equityPoints).toBe(n);
    expect(sheet.equity.length).toBeLessThanOrEqual(1200);
    expect(sheet.drawdown.length).toBeLessThanOrEqual(1200);
    expect(sheet.equity.at(-1)!.y).toBe(sheet.portfolio.finalEquity);
    expect(sheet.drawdowns[0]!.depth).toBe(sheet.portfolio.maxDrawdown);
    expect(Math.min(...sheet.drawdown.map((p) => p.y))).toBe(-sheet.portfolio.maxDrawdown);
    expect(sheet.prices.map((p) => p.symbol)).toEqual(['G/USD', 'H/USD', 'A/USD', 'B/USD', 'C/USD', 'D/USD']);
    expect(sheet.undrawnSymbols).toEqual(['E/USD', 'F/USD']);
    for (const p of sheet.prices) expect(p.closes.length).toBeLessThanOrEqual(800);
    expect(sheet.prices[0]!.marks.filter((m) => m.kind === 'entry')).toHaveLength(20);
    // Nothing is open at the end: the per-symbol profits add up to the account's gain.
    const profit = sheet.tables.bySymbol.reduce((s, g) => s + g.profit!, 0);
    expect(profit).toBeCloseTo(sheet.portfolio.finalEquity - 1000, 9);
    // Monthly returns compound to the total return.
    const compounded = sheet.monthly.reduce((acc, m) => acc * (1 + m.returnPercent / 100), 1);
    expect((compounded - 1) * 100).toBeCloseTo(sheet.portfolio.totalReturn, 9);
    const fewer = await buildTearsheet({ candles: data, events, maxSymbols: 2 });
    expect(fewer.prices.map((p) => p.symbol)).toEqual(['G/USD', 'H/USD']);
  });

  it('several strategies: a per-strategy table beside the per-symbol and per-reason ones, in every format', async () => {
    const other = REFERENCE.map((e) => ({ ...e, strategy: 'other' })) as SignalEvent[];
    const events = [...REFERENCE, ...other].sort((a, b) => a.now - b.now);
    const sheet = await buildTearsheet({ candles: [], events, money: { stake: 1000 } });
    expect(sheet.tables.byStrategy.map((g) => [g.key, g.trades])).toEqual([['other', 3], ['s', 3]]);
    const summary = summarizeEvents(events);
    expect(htmlReport(summary, { tearsheet: sheet })).toContain('<section id="by-strategy">');
    expect(markdownReport(summary, 'Backtest report', sheet)).toContain('## By strategy\n');
    expect(JSON.parse(jsonReport(summary, sheet)).byStrategyTrades).toHaveLength(2);
    const single = await buildTearsheet({ candles: [], events: REFERENCE, money: { stake: 1000 } });
    expect(htmlReport(summarizeEvents(REFERENCE), { tearsheet: single })).not.toContain('id="by-strategy"');
  });

  it('candles out of time order reject the report with the symbol and times (not an unhandled error)', async () => {
    const data = candles(['A/USD'], 3).reverse();
    await expect(buildTearsheet({ candles: from(data), events: [] })).rejects.toThrow(/A\/USD at 2024-01-01T00:02:00.000Z arrived after 2024-01-01T00:03:00.000Z/);
  });
});

describe('EquityDigest: deepest drawdowns and monthly returns as the curve streams', () => {
  /** Every drawdown period by brute force over the whole curve. */
  function periods(points: Array<[number, number]>, balance: number, start: number) {
    const out: Array<{ start: number; trough: number; recovery: number | null; depth: number }> = [];
    let peak = balance;
    let peakAt = start;
    let current: { start: number; trough: number; recovery: number | null; depth: number } | null = null;
    for (const [t, e] of points) {
      if (e >= peak) {
        if (current) out.push({ ...current, recovery: t });
        current = null;
        peak = e;
        peakAt = t;
      } else {
        const depth = ((peak - e) / peak) * 100;
        if (!current) current = { start: peakAt, trough: t, recovery: null, depth };
        else if (depth > current.depth) Object.assign(current, { trough: t, depth });
      }
    }
    if (current) out.push(current);
    return out.sort((a, b) => b.depth - a.depth || a.start - b.start);
  }

  it('matches a brute-force scan of a long random curve: the five deepest, their start, trough, recovery and length', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const points: Array<[number, number]> = [];
    let e = 10_000;
    for (let i = 1; i <= 50_000; i++) {
      e *= 1 + (random() - 0.499) * 0.004;
      points.push([T0 + i * 10 * M, e]);
    }
    const digest = new EquityDigest(10_000, T0);
    for (const [t, v] of points) digest.add(t, v);
    const result = digest.result();
    const expected = periods(points, 10_000, T0).slice(0, 5);
    expect(result.drawdowns.map(({ start, trough, recovery, depth }) => ({ start, trough, recovery, depth }))).toEqual(expected);
    for (const d of result.drawdowns) expect(d.lengthMs).toBe((d.recovery ?? points.at(-1)![0]) - d.start);
    // 50 000 points of 10 minutes: Jan 1 to mid-Dec 2024, one return per month.
    expect(result.monthly.map((m) => `${m.year}-${m.month}`)).toEqual(Array.from({ length: 12 }, (_, i) => `2024-${i + 1}`));
    expect(result.equity.length).toBeLessThanOrEqual(1200);
  });

  it('a curve that never falls has no drawdown period', () => {
    const digest = new EquityDigest(100, T0);
    for (let i = 1; i < 10; i++) digest.add(T0 + i * M, 100 + i);
    expect(digest.result().drawdowns).toEqual([]);
  });
});

describe('StreamDownsampler', () => {
  it('a million points in at most maxPoints, with the first, last, lowest and highest kept, deterministically', () => {
    const run = () => {
      const d = new StreamDownsampler(1000);
      for (let i = 0; i < 1_000_000; i++) d.add(T0 + i * M, Math.sin(i / 5000) * 100 + (i === 654_321 ? 500 : 0) - (i === 123_457 ? 500 : 0));
      return d.points();
    };
    const points = run();
    expect(points.length).toBeLessThanOrEqual(1000);
    expect(points.length).toBeGreaterThan(400);
    expect(points[0]).toEqual({ x: T0, y: 0 });
    expect(points.at(-1)!.x).toBe(T0 + 999_999 * M);
    expect(Math.max(...points.map((p) => p.y))).toBeCloseTo(Math.sin(654_321 / 5000) * 100 + 500, 9);
    expect(Math.min(...points.map((p) => p.y))).toBeCloseTo(Math.sin(123_457 / 5000) * 100 - 500, 9);
    for (let i = 1; i < points.length; i++) expect(points[i]!.x).toBeGreaterThan(points[i - 1]!.x);
    expect(run()).toEqual(points);
  });
});

describe('formatMetric: the one formatting of report numbers', () => {
  it('money grouped with two decimals, percentages signed where asked, a true minus, no negative zero, — for null', () => {
    expect(formatMetric(1_234_567.891, 'money')).toBe('1,234,567.89');
    expect(formatMetric(-1234.5, 'money')).toBe('−1,234.50');
    expect(formatMetric(0.118592, 'signedPercent')).toBe('+0.12%');
    expect(formatMetric(-0.001, 'signedPercent')).toBe('0.00%');
    expect(formatMetric(-0.001, 'percent')).toBe('0.00%');
    expect(formatMetric(-0.277052, 'percent')).toBe('−0.28%');
    expect(formatMetric(null, 'ratio')).toBe('—');
    expect(formatMetric(12_519, 'count')).toBe('12,519');
  });
});
