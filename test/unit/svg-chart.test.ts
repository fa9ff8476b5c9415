import { describe, expect, it } from 'vitest';
import { downsample, type Point } from '../../src/sinks/reports/downsample.js';
import { drawdownCurve } from '../../src/sinks/reports/equity.js';
import { lineChart, stepPoints, yAxis } from '../../src/sinks/reports/svg-chart.js';
import { linearScale, niceTicks, stepDecimals, timeTicks } from '../../src/sinks/reports/svg-scale.js';

const DAY = 86_400_000;

describe('linearScale', () => {
  it('maps the domain onto the range, inverted ranges included', () => {
    const y = linearScale([0, 10], [300, 0]);
    expect(y(0)).toBe(300);
    expect(y(5)).toBe(150);
    expect(y(10)).toBe(0);
    expect(y(-10)).toBe(600);
  });

  it('a one-value domain maps to the middle of the range instead of dividing by zero', () => {
    const x = linearScale([7, 7], [100, 200]);
    expect(x(7)).toBe(150);
    expect(x(1e9)).toBe(150);
  });
});

describe('niceTicks', () => {
  it('covers the data with 1-2-5 steps', () => {
    expect(niceTicks(-3.2, 17.9)).toEqual({ values: [-5, 0, 5, 10, 15, 20], step: 5 });
    expect(niceTicks(0, 100, 5).values).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 1, 5).step).toBe(0.2);
  });

  it('gives exact decimal values (0.3, not 0.30000000000000004) and tiny steps', () => {
    expect(niceTicks(0.1, 0.7, 6).values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(-0.00003, 0.00012, 4).values).toEqual([-0.00005, 0, 0.00005, 0.0001, 0.00015]);
  });

  it('widens a single value into an axis', () => {
    expect(niceTicks(0, 0).values).toEqual([-1, -0.5, 0, 0.5, 1]);
    const t = niceTicks(5, 5);
    expect(t.values[0]).toBeLessThan(5);
    expect(t.values.at(-1)).toBeGreaterThan(5);
  });

  it('stepDecimals: how many decimals a tick step needs', () => {
    expect([5, 0.5, 0.25, 0.00005, 100].map(stepDecimals)).toEqual([0, 1, 2, 5, 0]);
  });
});

describe('timeTicks', () => {
  it('months over half a year, labelled "Mon YYYY"', () => {
    const t = timeTicks(Date.UTC(2024, 0, 1), Date.UTC(2024, 6, 1));
    expect(t.labels).toEqual(['Jan 2024', 'Feb 2024', 'Mar 2024', 'Apr 2024', 'May 2024', 'Jun 2024', 'Jul 2024']);
    expect(t.values[1]).toBe(Date.UTC(2024, 1, 1));
  });

  it('hours within a day, with the date once the range crosses midnight', () => {
    expect(timeTicks(Date.UTC(2024, 0, 1, 3), Date.UTC(2024, 0, 1, 9)).labels).toEqual(['03:00', '04:00', '05:00', '06:00', '07:00', '08:00', '09:00']);
    expect(timeTicks(Date.UTC(2024, 0, 1, 20), Date.UTC(2024, 0, 2, 9)).labels[1]).toBe('01-02 00:00');
  });

  it('days on UTC midnights, labelled YYYY-MM-DD', () => {
    const t = timeTicks(Date.UTC(2018, 0, 20, 11, 30), Date.UTC(2018, 0, 30, 3, 29));
    expect(t.labels).toEqual(['2018-01-21', '2018-01-23', '2018-01-25', '2018-01-27', '2018-01-29']);
    for (const v of t.values) expect(v % DAY).toBe(0);
  });

  it('years over a decade; every tick inside the range', () => {
    const from = Date.UTC(2010, 10, 15);
    const to = Date.UTC(2024, 0, 20);
    const t = timeTicks(from, to);
    expect(t.labels).toEqual(['2012', '2014', '2016', '2018', '2020', '2022', '2024']);
    for (const v of t.values) expect(v >= from && v <= to).toBe(true);
  });
});

describe('downsample', () => {
  const wave: Point[] = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: Math.sin(i / 50) * (1 + i / 1000) + (i === 4321 ? 50 : 0) }));

  it('returns short series unchanged', () => {
    const pts = wave.slice(0, 10);
    expect(downsample(pts, 100)).toEqual(pts);
  });

  it('bounds the points and keeps the first, the last and the true extremes, in order', () => {
    const out = downsample(wave, 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out[0]).toBe(wave[0]);
    expect(out.at(-1)).toBe(wave.at(-1));
    expect(Math.max(...out.map((p) => p.y))).toBe(50 + Math.sin(4321 / 50) * (1 + 4.321));
    expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...wave.map((p) => p.y)));
    for (let i = 1; i < out.length; i++) expect(out[i]!.x).toBeGreaterThan(out[i - 1]!.x);
  });

  it('is deterministic', () => {
    expect(downsample(wave, 333)).toEqual(downsample(wave.map((p) => ({ ...p })), 333));
  });
});

describe('chart helpers', () => {
  it('stepPoints holds each value until the next x', () => {
    expect(stepPoints([{ x: 0, y: 0 }, { x: 1, y: 2 }, { x: 2, y: 2 }, { x: 3, y: -1 }])).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 2 },
      { x: 2, y: 2 },
      { x: 3, y: 2 },
      { x: 3, y: -1 },
    ]);
  });

  it('yAxis includes 0, pads the data side only, and keeps ticks inside the domain', () => {
    const a = yAxis(-21.7, 0, 4, true);
    expect(a.domain[1]).toBe(0);
    expect(a.domain[0]).toBeLessThan(-21.7);
    expect(a.ticks).toEqual([-20, -15, -10, -5, 0]);
    const b = yAxis(3, 480, 6);
    expect(b.domain[0]).toBe(0);
    expect(b.ticks.every((v) => v >= b.domain[0] && v <= b.domain[1])).toBe(true);
    expect(yAxis(0, 0, 4, true).domain).toEqual([-1, 0]);
  });

  it('drawdownCurve: distance below the running peak, the start counting as a peak', () => {
    const dd = drawdownCurve([{ x: 0, y: 0 }, { x: 1, y: -2 }, { x: 2, y: 5 }, { x: 3, y: 2 }, { x: 4, y: 6 }]);
    expect(dd.map((p) => p.y)).toEqual([0, -2, 0, -3, 0]);
  });

  it('lineChart draws one polyline per series, labels the axes and escapes names', () => {
    const svg = lineChart(
      [
        { name: 'a<b>', color: '#123456', points: [{ x: 0, y: 0 }, { x: DAY, y: 3 }] },
        { name: 'c', color: '#654321', points: [{ x: 0, y: 0 }, { x: DAY, y: -1 }], fill: true, markMin: true },
      ],
      { title: 'T & U', width: 600, height: 200 },
    );
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 600 200"/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<polygon /g)).toHaveLength(1);
    expect(svg).toContain('<title>a&lt;b&gt;</title>');
    expect(svg).toContain('aria-label="T &amp; U"');
    expect(svg).toContain('>0%</text>');
    expect(svg).toContain('>-1.00%</text>');
    expect(svg).not.toContain('a<b>');
  });

  it('lineChart with no points shows the empty message', () => {
    const svg = lineChart([{ name: 'x', color: '#000', points: [] }], { title: 't', empty: 'Nothing <here>' });
    expect(svg).toContain('Nothing &lt;here&gt;');
    expect(svg).not.toContain('<polyline');
  });
});
