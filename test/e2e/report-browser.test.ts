import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, HeadlessChromium } from '../support/chromium.js';
import { ROOT, runCli, SHARED_DATA } from './run-cli.js';

// The HTML report of a real run, rendered by a real headless Chromium at a desktop and a narrow width. Chromium is
// installed by scripts/chromium.sh when missing. REPORT_SCREENSHOTS=DIR keeps full-page screenshots to look at.

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-report-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DATA = ['ETH_BTC', 'DASH_BTC', 'XMR_BTC'].map((pair) => ({ file: join(SHARED_DATA, `${pair}-1m.json`), symbol: pair.replace('_', '/') }));
const realData = DATA.every((d) => existsSync(d.file));

let chromium: string | null = null;
let report = '';

beforeAll(() => {
  const found = ensureChromium();
  if ('reason' in found) console.warn(`report-browser: no Chromium, browser checks skipped: ${found.reason}`);
  else chromium = found.path;
  const dir = join(tmp, 'reports');
  const data = realData
    ? DATA.flatMap((d) => ['--candles', d.file, '--symbol', d.symbol])
    : (console.warn(`report-browser: ${SHARED_DATA} has no ETH/DASH/XMR 1m data, using the synthetic demo`), ['--demo']);
  const r = runCli(['backtest', ...data, ...(realData ? ['--strategy', 'examples/sma-cross.mjs'] : []), '--report', dir, '--no-progress']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  report = join(dir, 'backtest.html');
}, 900_000);

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

interface Layout {
  readonly cards: string[];
  readonly charts: number;
  readonly priceCharts: number;
  readonly tables: Record<string, number>;
  readonly heatmapCells: number;
  readonly tradeRows: number;
  readonly overflow: number;
  readonly overflowing: string[];
  /** Boxes whose content is wider than they are (a table cut off behind a scroll bar). */
  readonly clipped: string[];
  readonly smallestLabel: number;
  readonly tradesScrollBox: boolean;
}

// Runs in the page: what a reader would check by eye, measured.
const MEASURE = `(() => {
  const q = (s) => [...document.querySelectorAll(s)];
  const rows = (id) => q('#' + id + ' tbody tr').length;
  const width = document.documentElement.clientWidth;
  const overflowing = q('main *').filter((e) => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.wide'))
    .slice(0, 5).map((e) => (e.closest('section')?.id ?? '') + ' ' + e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  let smallest = Infinity;
  for (const text of q('svg text')) {
    const size = parseFloat(getComputedStyle(text).fontSize);
    const svg = text.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    smallest = Math.min(smallest, size * scale);
  }
  const trades = document.querySelector('#trades .trades');
  const clipped = q('.wide, pre').filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => (e.closest('section')?.id ?? '') + ' ' + e.tagName);
  return {
    cards: q('#cards .kpi').map((k) => k.textContent),
    charts: q('#equity svg').length,
    priceCharts: q('#prices svg').length,
    tables: { account: rows('account'), drawdowns: rows('drawdowns'), bySymbol: rows('by-symbol'), byReason: rows('by-reason'), inputs: rows('inputs') },
    heatmapCells: q('.heatmap tbody td').length,
    tradeRows: rows('trades'),
    overflow: document.documentElement.scrollWidth - width,
    overflowing,
    clipped,
    smallestLabel: smallest,
    tradesScrollBox: trades !== null && trades.scrollHeight > trades.clientHeight + 1,
  };
})()`;

describe('the HTML report in headless Chromium', () => {
  for (const width of [1400, 800]) {
    it(`${width} px: renders without console errors, nothing overflows, every section present`, async (ctx) => {
      if (chromium === null) return ctx.skip();
      const browser = new HeadlessChromium(chromium);
      try {
        await browser.open();
        await browser.load(pathToFileURL(report).href, width, 900);
        const png = await browser.screenshot();
        expect(png.length).toBeGreaterThan(10_000);
        expect(pngSize(png)).toEqual({ width, height: 900 });
        const layout = await browser.evaluate<Layout>(MEASURE);
        const keep = process.env.REPORT_SCREENSHOTS;
        if (keep !== undefined) {
          mkdirSync(resolve(ROOT, keep), { recursive: true });
          writeFileSync(resolve(ROOT, keep, `report-${width}.png`), png);
          const height = await browser.evaluate<number>('document.documentElement.scrollHeight');
          for (let from = 0, i = 0; from < height; from += 1000, i++) {
            writeFileSync(resolve(ROOT, keep, `report-${width}-part${i}.png`), await browser.screenshot(false, { from, height: 1000 }));
          }
        }
        expect(browser.problems).toEqual([]);

        const json = JSON.parse(readFileSync(report.replace(/\.html$/, '.json'), 'utf8'));
        expect(layout.cards.map((c) => c.replace(/[^A-Za-z ()]+$/, '').trim())).toEqual(['Final equity', 'Total return', 'Max drawdown (equity)', 'CAGR', 'Sharpe (daily, annualised)', 'Exposure']);
        expect(layout.charts).toBe(2);
        expect(layout.priceCharts).toBe(json.data.length);
        expect(layout.tables.account).toBeGreaterThanOrEqual(11);
        expect(layout.tables.drawdowns).toBe(json.drawdowns.length);
        expect(layout.tables.bySymbol).toBe(json.bySymbol.length);
        expect(layout.tables.byReason).toBe(json.byExitReason.length);
        expect(layout.heatmapCells).toBe(13 * new Set(json.monthlyReturns.map((m: { year: number }) => m.year)).size);
        expect(layout.tradeRows).toBe(json.statistics.totalSignals);
        expect(layout.tradesScrollBox).toBe(false);
        expect({ overflow: layout.overflow, overflowing: layout.overflowing, clipped: layout.clipped }).toEqual({ overflow: 0, overflowing: [], clipped: [] });
        expect(layout.smallestLabel).toBeGreaterThanOrEqual(10);
      } finally {
        await browser.close();
      }
    });
  }

  it('prints every trade: no scroll box, the table header repeated on each page, nothing wider than the page', async (ctx) => {
    if (chromium === null) return ctx.skip();
    const browser = new HeadlessChromium(chromium);
    try {
      await browser.open();
      await browser.load(pathToFileURL(report).href, 794, 1123);
      await browser.emulatePrint();
      const printed = await browser.evaluate<{ rows: number; clipped: number; headerGroup: string; overflow: number }>(`(() => {
        const box = document.querySelector('#trades .trades');
        return {
          rows: document.querySelectorAll('#trades tbody tr').length,
          clipped: box.scrollHeight - box.clientHeight,
          headerGroup: getComputedStyle(document.querySelector('#trades thead')).display,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        };
      })()`);
      const json = JSON.parse(readFileSync(report.replace(/\.html$/, '.json'), 'utf8'));
      expect(printed).toEqual({ rows: json.statistics.totalSignals, clipped: 0, headerGroup: 'table-header-group', overflow: 0 });
      const pdf = await browser.printToPdf();
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(browser.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
