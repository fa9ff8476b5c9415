import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Strategy } from '../../src/core/strategy.js';
import { optimize } from '../../src/pipelines/optimize.js';
import { walkForward } from '../../src/pipelines/walk-forward.js';
import { optimizeHtmlReport } from '../../src/sinks/reports/optimize-html.js';
import { walkForwardHtmlReport } from '../../src/sinks/reports/walk-forward-html.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { objectiveHeatmap } from '../../src/sinks/reports/heatmap.js';
import { mergeLogitHistograms } from '../../src/sinks/reports/overfitting-html.js';
import { sortableTable } from '../../src/sinks/reports/sortable-table.js';
import { histogramChart } from '../../src/sinks/reports/svg-histogram.js';
import { timelineChart } from '../../src/sinks/reports/svg-timeline.js';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;
const DAY = 86_400_000;

describe('research report pieces', () => {
  it('histogram: one bar per bin (empty bins too), counts kept, bins at or below the split coloured apart, same bytes twice', () => {
    const bins = { from: -1, binWidth: 0.5, counts: [2, 0, 5, 1] };
    const svg = histogramChart(bins, { title: 'Logits <x>', splitAt: 0, color: '#111111', colorBelow: '#ee0000', markers: [{ x: 0, label: 'λ = 0', color: '#000' }] });
    expect(count(svg, /<rect class="bar"/g)).toBe(4);
    expect([...svg.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([2, 0, 5, 1]);
    expect(count(svg, /fill="#ee0000"/g)).toBe(2);
    expect(count(svg, /fill="#111111"/g)).toBe(2);
    expect(svg).toContain('aria-label="Logits &lt;x&gt;"');
    expect(histogramChart(bins, { title: 'Logits <x>', splitAt: 0 })).toBe(histogramChart(bins, { title: 'Logits <x>', splitAt: 0 }));
    expect(histogramChart({ from: 0, binWidth: 1, counts: [] }, { title: 't', empty: 'nothing' })).toContain('nothing');
    // All runs with the same value: one bar of visible width.
    expect(histogramChart({ from: 6, binWidth: 0, counts: [50] }, { title: 't' })).toMatch(/<rect class="bar" data-count="50" x="[\d.]+" y="[\d.]+" width="[1-9]/);
  });

  it('timeline: one span rect per span with its kind, labels escaped', () => {
    const svg = timelineChart(
      [
        { label: 'fold <0>', spans: [{ from: 0, to: 3 * DAY, kind: 'train' }, { from: 3 * DAY, to: 4 * DAY, kind: 'test' }] },
        { label: 'holdout', spans: [{ from: 5 * DAY, to: 6 * DAY, kind: 'holdout' }] },
      ],
      { title: 'Folds', colors: { train: '#1', test: '#2', holdout: '#3' } },
    );
    expect([...svg.matchAll(/class="span" data-kind="(\w+)"/g)].map((m) => m[1])).toEqual(['train', 'test', 'holdout']);
    expect(svg).toContain('fold &lt;0&gt;');
    expect(svg).not.toContain('fold <0>');
  });

  it('heatmap: a cell per slice point (blank where no trial ran), the best outlined, coloured worst → best (turned round when minimised)', () => {
    const view = { axes: ['fast', 'slow'] as [string, string], values: [[3, 4], [10, 20, 30]] as [number[], number[]], objective: [[1, null, 3], [2, 5, 4]], radius: 2 };
    const html = objectiveHeatmap(view, { fast: 4, slow: 20 }, { objective: 'sharpe<Ratio>' });
    expect(count(html, /<td/g)).toBe(6);
    expect(count(html, /class="hm-empty"/g)).toBe(1);
    expect(html).toMatch(/<td class="num" data-best="true" data-value="5"[^>]*hsl\(130,/);
    expect(html).toMatch(/data-value="1"[^>]*hsl\(0,/);
    expect(html).toContain('sharpe&lt;Ratio&gt;');
    expect(objectiveHeatmap(view, { fast: 4, slow: 20 }, { objective: 'maxDrawdown', minimise: true })).toMatch(/data-value="1"[^>]*hsl\(130,/);
  });

  it('sortable table: every cell carries its sort key, text keys marked, null keys empty, user text escaped', () => {
    const html = sortableTable(
      [{ label: 'id', num: true }, { label: 'name' }],
      [
        [{ html: '1', sort: 1 }, { html: 'a&amp;b', sort: 'a&b' }],
        [{ html: '—', sort: null }, { html: 'c', sort: 'c' }],
      ],
      'x',
    );
    expect(html).toContain('<td class="num" data-sort="1">1</td>');
    expect(html).toContain('<td data-sort="a&amp;b" data-text="true">a&amp;b</td>');
    expect(html).toContain('<td class="num" data-sort="">—</td>');
    expect(count(html, /<th[^>]*data-col=/g)).toBe(2);
  });

  it('fold logit histograms merge on their common bins', () => {
    const merged = mergeLogitHistograms([
      { from: -0.5, binWidth: 0.25, counts: [1, 2] },
      null,
      { from: 0, binWidth: 0.25, counts: [3, 0, 1] },
    ]);
    expect(merged).toEqual({ from: -0.5, binWidth: 0.25, counts: [1, 2, 3, 0, 1] });
    expect(mergeLogitHistograms([null])).toBeNull();
  });
});

describe('optimize and walk-forward HTML reports', () => {
  const NAME = `<b>x</b>&"'`;
  let candles: Candle[];
  beforeAll(async () => {
    const all = await lastValueFrom(syntheticCandles({ symbols: ['AAA/USD'], start: Date.UTC(2024, 0, 1), count: 4 * 1440, seed: 3 }).pipe(toArray()));
    candles = all.map((c) => c.candle);
  });
  const strategy: Strategy = {
    name: NAME,
    interval: '15m',
    params: { n: { type: 'int', min: 1, max: 4, default: 2 }, t: { type: 'choice', values: [5, 10, 20], default: 10 } },
    getSignal(ctx) {
      const c = ctx.candles('15m', (ctx.params.n as number) + 1);
      if (c.length < 2) return null;
      const t = (ctx.params.t as number) / 1000;
      const p = ctx.price;
      return c.at(-1)!.close > c[0]!.close ? { position: 'long', priceTakeProfit: p * (1 + t), priceStopLoss: p * (1 - t), minuteEstimatedTime: 60 } : null;
    },
  };
  const source = () => replayCandles({ 'AAA/USD': candles });

  it('user text escaped, one script (the sort), nothing fetched, same bytes for the same study', async () => {
    const study = await optimize({ source: source(), strategy, sampler: 'grid', runs: 50, periodMs: 4 * 3_600_000, splits: 4 });
    const html = optimizeHtmlReport(study);
    expect(html).toBe(optimizeHtmlReport(await optimize({ source: source(), strategy, sampler: 'grid', runs: 50, periodMs: 4 * 3_600_000, splits: 4 })));
    const wf = await walkForward({ source: source(), strategy, sampler: 'grid', runs: 50, splits: 2, train: DAY, test: DAY });
    for (const page of [html, walkForwardHtmlReport(wf)]) {
      expect(count(page, /<script/g)).toBe(1);
      expect(page).not.toContain('<b>x</b>');
      expect(page).toContain('&lt;b&gt;x&lt;/b&gt;&amp;&quot;&#39;');
      expect(page).not.toMatch(/\s(src|href)=|url\(/);
    }
    // 12 grid points, every one a row; the heatmap is the whole 4 × 3 grid around the best (radius 2 reaches it all).
    expect(count(html, /<tr><td class="num" data-sort=/g)).toBe(12);
    expect(count(html, /<td[^>]*data-value=|<td class="hm-empty"/g)).toBe(study.neighbourhood!.values[0].length * study.neighbourhood!.values[1].length);
  });
});
