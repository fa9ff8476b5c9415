import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import { closedEvent, signalEvent, type SignalEvent } from '../../src/core/events.js';
import { computePnl } from '../../src/core/pnl.js';
import { htmlReport } from '../../src/sinks/reports/html.js';
import { summarizeEvents } from '../../src/sinks/reports/summary.js';
import { buildTearsheet } from '../../src/sinks/reports/tearsheet.js';

const M = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const SYMBOL = `<img src=x onerror='1'>&"/BTC`;
const STRATEGY = '<script>alert(1)</script>';

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input']);
const TAG = /<!DOCTYPE html>|<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;

/** Every tag complete with quoted attributes, every element closed in order, no stray `<` or `>` in text. */
function problemsOf(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  let last = 0;
  for (const m of html.matchAll(TAG)) {
    if (/[<>]/.test(html.slice(last, m.index))) problems.push(`stray markup before offset ${m.index}: ${html.slice(Math.max(last, m.index - 40), m.index)}`);
    last = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (name === undefined || selfClosing === '/' || VOID.has(name)) continue;
    if (closing !== '/') stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> at offset ${m.index} closes another element`);
  }
  if (/[<>]/.test(html.slice(last))) problems.push('stray markup at the end');
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

function run(): { candles: SymbolCandle[]; events: SignalEvent[] } {
  const config = resolveConfig();
  const candles: SymbolCandle[] = [];
  for (let i = 0; i < 3000; i++) {
    const close = 0.00005 * (1 + 0.05 * Math.sin(i / 50));
    candles.push({ symbol: SYMBOL, interval: '1m', candle: { timestamp: T0 + i * M, open: close, high: close, low: close, close, volume: 1 } });
  }
  const events: SignalEvent[] = [];
  for (let j = 0; j < 10; j++) {
    const i = 100 + j * 250;
    const open = candles[i]!.candle.close;
    const close = candles[i + 100]!.candle.close;
    const lane = { symbol: SYMBOL, strategy: STRATEGY };
    const signal = { id: `s${j}`, position: 'long' as const, priceOpen: open, priceTakeProfit: open * 2, priceStopLoss: open / 2, minuteEstimatedTime: 600, scheduledAt: T0 + (i + 1) * M, pendingAt: T0 + (i + 1) * M, note: null };
    events.push(signalEvent('opened', lane, signal, T0 + (i + 1) * M));
    events.push(closedEvent(lane, signal, T0 + (i + 101) * M, 'time_expired', computePnl('long', open, close, config)));
  }
  return { candles, events };
}

describe('the tearsheet page is safe and self-contained', () => {
  it('escapes symbols, strategies, file paths and config text; well-formed; no scripts, no network; same bytes every time', async () => {
    const { candles, events } = run();
    const render = async () => {
      const sheet = await buildTearsheet({
        candles,
        events,
        inputs: {
          files: [{ path: `/data/"quoted" <dir>/a&b.json`, symbol: SYMBOL, interval: '1m' }],
          strategies: [{ name: STRATEGY, file: `it's <here>.mjs` }],
          config: { note: '</pre><script>x</script>' },
          configFile: '<cfg>.json',
        },
      });
      return htmlReport(summarizeEvents(events), { title: 'Run <b>1</b>', tearsheet: sheet });
    };
    const html = await render();
    expect(problemsOf(html)).toEqual([]);
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;img src=x onerror=&#39;1&#39;&gt;&amp;&quot;/BTC');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('/data/&quot;quoted&quot; &lt;dir&gt;/a&amp;b.json');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;');
    const urls = html.match(/https?:\/\/[^\s"')]*/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).not.toMatch(/<link|<iframe|url\(|@import/i);
    // No element loads or runs anything: no src, href or on… attribute on any tag (inside values is escaped text).
    const attributes = [...html.matchAll(TAG)].flatMap((m) => [...(m[3] ?? '').matchAll(/\s([\w:-]+)="/g)].map((a) => a[1]!.toLowerCase()));
    expect(attributes.filter((a) => a === 'src' || a === 'href' || a.startsWith('on'))).toEqual([]);
    // Tiny prices by significant digits, never in exponent notation.
    expect(html).not.toMatch(/\de-\d/);
    expect(await render()).toBe(html);
  });
});
