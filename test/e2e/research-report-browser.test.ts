import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, HeadlessChromium } from '../support/chromium.js';
import { runCli, SHARED_DATA } from './run-cli.js';

// The optimize and walk-forward HTML reports of real runs, rendered by a real headless Chromium (installed by
// scripts/chromium.sh when missing): no console errors, the sortable tables sort, every chart has its cells and bars.

const DATA = join(SHARED_DATA, 'ETH_BTC-1m.json');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`research-report-browser: ${DATA} is missing: the real-data reports are skipped`);

const tmp = mkdtempSync(join(tmpdir(), 'tickflow-research-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const study = ['--candles', DATA, '--symbol', 'ETH/BTC', '--strategy', 'examples/sma-cross.mjs'];

let chromium: string | null = null;

beforeAll(() => {
  const found = ensureChromium();
  if ('reason' in found) console.warn(`research-report-browser: no Chromium, browser checks skipped: ${found.reason}`);
  else chromium = found.path;
  if (!HAVE_DATA) return;
  const opt = runCli(['optimize', ...study, '--sampler', 'grid', '--trials', '40', '--splits', '4', '--timerange', '2018-01-12..2018-01-28', '--report', join(tmp, 'opt')]);
  expect(opt.stderr).toBe('');
  expect(opt.code).toBe(0);
  const wf = runCli([
    'walk-forward', ...study, '--train', '3d', '--test', '1d', '--step', '2d', '--purge', '1h', '--holdout', '1d',
    '--sampler', 'tpe', '--trials', '8', '--batch-size', '4', '--seed', '3', '--splits', '2', '--report', join(tmp, 'wf'),
  ]);
  expect(wf.stderr).toBe('');
  expect(wf.code).toBe(0);
}, 900_000);

/** Loads a report, runs `check` with the browser, and fails on any console error or exception of the page. */
async function inChromium(file: string, check: (browser: HeadlessChromium) => Promise<void>): Promise<void> {
  const browser = new HeadlessChromium(chromium!);
  try {
    await browser.open();
    await browser.load(pathToFileURL(file).href, 1400, 900);
    await check(browser);
    expect(browser.problems).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** Clicks a header of a sortable table by its text and returns the column's sort keys top to bottom (null: empty). */
const clickAndRead = (table: string, header: string) => `(() => {
  const t = document.getElementById(${JSON.stringify(table)});
  const th = [...t.tHead.rows[0].cells].find((c) => c.textContent === ${JSON.stringify(header)});
  th.click();
  const col = Number(th.dataset.col);
  return { sort: th.getAttribute('aria-sort'), values: [...t.tBodies[0].rows].map((r) => r.cells[col].dataset.sort === '' ? null : Number(r.cells[col].dataset.sort)) };
})()`;

/** Nothing outside the file: no src/href/url() to fetch (the SVG namespace is a name, not a request). */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/\s(src|href)=|url\(|@import|<link/i);
  expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:/);
}

interface Sorted {
  sort: string;
  values: (number | null)[];
}

describe.skipIf(!HAVE_DATA)('the research HTML reports in headless Chromium', () => {
  it('optimize.html: every trial in the table, sorting by a column and back, a heatmap cell per slice point, PBO and Monte Carlo bars per bin', async (ctx) => {
    if (chromium === null) return ctx.skip();
    const file = join(tmp, 'opt', 'optimize.html');
    const html = readFileSync(file, 'utf8');
    expectSelfContained(html);
    const json = JSON.parse(readFileSync(join(tmp, 'opt', 'optimize.json'), 'utf8'));
    const n = json.neighbourhood;
    expect(n).not.toBeNull();
    expect(json.overfitting.pbo.histogram).not.toBeNull();
    await inChromium(file, async (browser) => {
      const layout = await browser.evaluate<{ rows: number; cells: number; bestCells: number; pboBars: number[]; mcBars: number[]; equity: number }>(`(() => ({
        rows: document.querySelectorAll('#trials-table tbody tr').length,
        cells: document.querySelectorAll('#slices .heatmap tbody td').length,
        bestCells: document.querySelectorAll('#slices .heatmap td[data-best]').length,
        pboBars: [...document.querySelectorAll('#pbo rect.bar')].map((r) => Number(r.dataset.count)),
        mcBars: [...document.querySelectorAll('#monte-carlo rect.bar')].map((r) => Number(r.dataset.count)),
        equity: document.querySelectorAll('#equity svg polyline').length,
      }))()`);
      expect(layout.rows).toBe(json.trials.length);
      expect(layout.cells).toBe(n.values[0].length * n.values[1].length);
      expect(layout.bestCells).toBe(1);
      expect(layout.pboBars).toEqual(json.overfitting.pbo.histogram.counts);
      expect(layout.pboBars.reduce((a: number, b: number) => a + b, 0)).toBe(json.overfitting.pbo.combinations);
      expect(layout.mcBars).toEqual(json.overfitting.monteCarlo.drawdownHistogram.counts);
      expect(layout.mcBars.reduce((a: number, b: number) => a + b, 0)).toBe(json.overfitting.monteCarlo.runs);
      expect(layout.equity).toBe(1);

      // The objective's column: first click best first (descending), second click the other way; empty keys last.
      const objectives = (json.trials as { objective: number | null }[]).map((t) => t.objective);
      const known = objectives.filter((v): v is number => v !== null);
      const nulls = objectives.filter((v) => v === null);
      const down = await browser.evaluate<Sorted>(clickAndRead('trials-table', 'sharpeRatio'));
      expect(down).toEqual({ sort: 'descending', values: [...[...known].sort((a, b) => b - a), ...nulls] });
      const up = await browser.evaluate<Sorted>(clickAndRead('trials-table', 'sharpeRatio'));
      expect(up).toEqual({ sort: 'ascending', values: [...[...known].sort((a, b) => a - b), ...nulls] });
      // Rank ascending gives the study's ranking: the rows carry their trial ids along.
      await browser.evaluate<Sorted>(clickAndRead('trials-table', 'Rank'));
      const ranked = await browser.evaluate<Sorted>(clickAndRead('trials-table', 'Rank'));
      expect(ranked.sort).toBe('ascending');
      const ids = await browser.evaluate<number[]>(`[...document.querySelectorAll('#trials-table tbody tr')].map((r) => Number(r.cells[1].dataset.sort))`);
      expect(ids).toEqual(json.ranking);
    });
  });

  it('walk-forward.html: the folds on a timeline (train, purge, test, holdout), stitched equity, the fold table sorts, PBO and Monte Carlo bars', async (ctx) => {
    if (chromium === null) return ctx.skip();
    const file = join(tmp, 'wf', 'walk-forward.html');
    const html = readFileSync(file, 'utf8');
    expectSelfContained(html);
    const json = JSON.parse(readFileSync(join(tmp, 'wf', 'walk-forward.json'), 'utf8'));
    const folds = json.folds as { index: number; testStatistics: { totalSignals: number } | null; trainPbo: { combinations: number; pbo: number | null } | null }[];
    expect(folds.length).toBe(3);
    await inChromium(file, async (browser) => {
      const layout = await browser.evaluate<{ spans: Record<string, number>; rows: number; equity: number; pboTotal: number; mcBars: number[] }>(`(() => {
        const spans = {};
        for (const r of document.querySelectorAll('#folds rect.span')) spans[r.dataset.kind] = (spans[r.dataset.kind] ?? 0) + 1;
        return {
          spans,
          rows: document.querySelectorAll('#folds-table tbody tr').length,
          equity: document.querySelectorAll('#equity svg polyline').length,
          pboTotal: [...document.querySelectorAll('#pbo rect.bar')].reduce((n, r) => n + Number(r.dataset.count), 0),
          mcBars: [...document.querySelectorAll('#monte-carlo rect.bar')].map((r) => Number(r.dataset.count)),
        };
      })()`);
      expect(layout.spans).toEqual({ train: 3, purge: 3, test: 3, holdout: 1 });
      expect(layout.rows).toBe(3);
      expect(layout.equity).toBe(1);
      expect(layout.pboTotal).toBe(folds.reduce((n, f) => n + (f.trainPbo?.pbo == null ? 0 : f.trainPbo.combinations), 0));
      expect(layout.mcBars).toEqual(json.overfitting.monteCarlo.drawdownHistogram.counts);

      const signals = folds.map((f) => f.testStatistics?.totalSignals ?? 0);
      const down = await browser.evaluate<Sorted>(clickAndRead('folds-table', 'Signals'));
      expect(down).toEqual({ sort: 'descending', values: [...signals].sort((a, b) => b - a) });
      const fold = await browser.evaluate<Sorted>(clickAndRead('folds-table', 'Fold'));
      expect(fold).toEqual({ sort: 'descending', values: [2, 1, 0] });
    });
  });
});
