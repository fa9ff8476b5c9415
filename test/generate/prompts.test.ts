import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { summarizeWindow, windowCandles } from '../../src/generate/data-summary.js';
import { STRATEGY_EXAMPLE } from '../../src/generate/prompt-templates.js';
import { buildPrompt, PromptTemplatesSchema } from '../../src/generate/prompts.js';
import { screenResponse } from '../../src/generate/screen.js';
import { candleFile } from '../../src/sources/files.js';
import { ETH_1M, HAVE_DATA } from './llm-fixtures.js';

const window = { from: Date.UTC(2018, 0, 21), to: Date.UTC(2018, 0, 22) };

describe.skipIf(!HAVE_DATA)('prompts from real ETH/BTC candles', () => {
  const source = candleFile(ETH_1M, { symbol: 'ETH/BTC' });

  it('summarises one train window: statistics, volume profile, the newest candles of 1h 15m 5m 1m, nothing after the window', async () => {
    const candles = (await windowCandles(source, window)).get('ETH/BTC')!;
    expect(candles.interval).toBe('1m');
    expect(candles.candles.at(-1)!.timestamp + 60_000).toBeLessThan(window.to);
    const text = summarizeWindow('ETH/BTC', '1m', candles.candles, window);
    expect(text).toMatch(/^### ETH\/BTC: 2018-01-21T00:00:00\.000Z … 2018-01-22T00:00:00\.000Z \(\d+ candles of 1m\)/);
    expect(text).toMatch(/- first open [\d.]+, last close [\d.]+: return -?\d+\.\d{3} %/);
    expect(text).toMatch(/- volatility: standard deviation of hourly log returns \d+\.\d{3} % over 24 hours/);
    expect(text).toContain('| price band | volume share |');
    for (const [tf, n] of [['1h', 24], ['15m', 16], ['5m', 12], ['1m', 10]] as const) expect(text).toContain(`Last ${n} candles of ${tf}:`);
    // The newest hour shown is the last one that closed inside the window; no row is at or after its end.
    expect(text).toContain('| 2018-01-21 23:00 |');
    expect(text).not.toContain('| 2018-01-22');
    // Deterministic: the same window gives the same text.
    expect(summarizeWindow('ETH/BTC', '1m', candles.candles, window)).toBe(text);
  });

  it('the contract and the example go in the system message; the data and candidate number in the user message', () => {
    const messages = buildPrompt(PromptTemplatesSchema.parse({}), { candidate: 2, candidates: 5, round: 1, data: '### DATA' });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]!.content).toContain('ctx.candles(interval, limit)');
    expect(messages[0]!.content).toContain("{ type: 'int', min, max, step?, default }");
    expect(messages[0]!.content).toContain('Forbidden');
    expect(messages[0]!.content).toContain(STRATEGY_EXAMPLE);
    expect(messages[1]!.content).toMatch(/^Candidate 2 of 5 \(round 1\)/);
    expect(messages[1]!.content).toContain('### DATA');
    const refine = buildPrompt(PromptTemplatesSchema.parse({}), { candidate: 1, candidates: 1, round: 2, data: 'D', refine: { code: 'CODE', statistics: 'STATS' } });
    expect(refine[1]!.content).toContain('```javascript\nCODE\n```');
    expect(refine[1]!.content).toContain('STATS');
  });

  it("users' templates replace the defaults; an unknown placeholder is named", () => {
    const templates = PromptTemplatesSchema.parse({ system: 'Rules: {{contract}}', user: 'Try #{{candidate}} on {{data}}' });
    expect(buildPrompt(templates, { candidate: 3, candidates: 4, round: 1, data: 'X' })[1]!.content).toBe('Try #3 on X');
    expect(() => buildPrompt(PromptTemplatesSchema.parse({ user: 'Hi {{symbol}}' }), { candidate: 1, candidates: 1, round: 1, data: '' })).toThrow(
      'user prompt template: unknown placeholder {{symbol}} (known: {{candidate}} {{candidates}} {{round}} {{data}})',
    );
  });

  it('the example of the prompt passes every check itself', async () => {
    const r = await screenResponse(STRATEGY_EXAMPLE, { source, smokeRange: window, config: resolveConfig({}) });
    expect(r.verdict).toBe('accepted');
    if (r.verdict === 'accepted') await r.sandbox.close();
  });
});
