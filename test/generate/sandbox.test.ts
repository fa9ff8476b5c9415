import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import type { Strategy } from '../../src/core/strategy.js';
import { checkGeneratedCode } from '../../src/generate/allow-list.js';
import { extractModule } from '../../src/generate/extract.js';
import { loadSandboxedStrategy, type SandboxedStrategy } from '../../src/generate/sandboxed-strategy.js';
import { screenResponse, type Screened } from '../../src/generate/screen.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { candleFile } from '../../src/sources/files.js';
import { ETH_1M, EXPECTED, fixture, HAVE_DATA } from './llm-fixtures.js';

const config = resolveConfig({});
const smokeRange = { from: Date.UTC(2018, 0, 21), to: Date.UTC(2018, 0, 21, 12) };
const opened: SandboxedStrategy[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

async function reasonsOf(code: string): Promise<readonly string[]> {
  const r = await checkGeneratedCode(code);
  return r.ok ? [] : r.reasons;
}

describe('extractModule', () => {
  it('takes the fenced JavaScript block with the default export; prose and TypeScript give no module', () => {
    const two = '```js\nconst helper = 1;\n```\ntext\n```javascript\nexport default { name: "x" };\n```\n';
    expect(extractModule(two)).toEqual({ ok: true, code: 'export default { name: "x" };' });
    expect(extractModule(fixture('prose-only'))).toEqual({ ok: false, reason: 'no fenced code block in the response (prose only)' });
    expect(extractModule('```ts\nexport default {} as Strategy;\n```')).toEqual({ ok: false, reason: 'no JavaScript code block in the response (found: ts)' });
  });
});

describe('checkGeneratedCode (the allow-list)', () => {
  it('rejects each way out of the sandbox with its reason and line', async () => {
    const cases: [string, RegExp][] = [
      ["import fs from 'node:fs';\nexport default {};", /line 1: import from 'node:fs' is not allowed/],
      ['export default { f: () => import("fs") };', /dynamic import\(\) is not allowed/],
      ['export default { f: () => globalThis.x };', /'globalThis' is not allowed \(global object access\)/],
      ['export default { f: () => eval("1") };', /'eval' is not allowed \(code from strings\)/],
      ['export default { f: () => new Function("return 1") };', /'Function' is not allowed/],
      ['export default { f: () => (() => 0).constructor };', /'\.constructor' is not allowed/],
      ['export default { f: (o) => o["constructor"] };', /'\.constructor' is not allowed/],
      ['export default { f: () => setTimeout (() => 0, 1) };', /'setTimeout' is not allowed \(timers\)/],
      ['export default { f: () => fetch("http://x") };', /'fetch' is not allowed \(network access\)/],
      ['export default { f: (o) => ({ __proto__: o }) };', /'__proto__' keys are not allowed/],
      ['export default { f: (o) => Object.defineProperty(o, "a", {}) };', /'\.defineProperty' is not allowed/],
      ['Array.prototype.map = null;\nexport default {};', /line 1: '\.prototype' is not allowed.*|changing the built-in 'Array'/],
      ['Math.max = Math.min;\nexport default {};', /changing the built-in 'Math' is not allowed/],
      ['export default { f: () => Math.random() };', /Math\.random is not allowed/],
      ['export default { f: () => new Date() };', /new Date\(\) without an argument/],
      ['await 1;\nexport default {};', /top-level await is not allowed/],
      ['export default { f: () => new Worker("x") };', /'Worker' is not allowed \(thread access\)/],
      ["export * from 'x';\nexport default {};", /re-exports are not allowed/],
      ['export const a = 1;', /no default export/],
    ];
    for (const [code, reason] of cases) expect((await reasonsOf(code)).join('\n'), code).toMatch(reason);
  });

  it('turns a clean module into a script evaluating to its default export, named exports kept as locals', async () => {
    const r = await checkGeneratedCode('export const K = 2;\nfunction twice(x) { return K * x; }\nexport default { v: twice(21) };');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    const { runInNewContext } = await import('node:vm');
    expect(runInNewContext(r.script)).toEqual({ v: 42 });
  });
});

describe.skipIf(!HAVE_DATA)('screenResponse on the recorded answers (real ETH/BTC candles)', () => {
  const source = candleFile(ETH_1M, { symbol: 'ETH/BTC' });
  const results = new Map<string, Screened>();

  it('accepts the valid strategies and rejects each bad one with its reason; this process is unharmed', async () => {
    for (const name of Object.keys(EXPECTED) as (keyof typeof EXPECTED)[]) {
      const r = await screenResponse(fixture(name), { source, smokeRange, config, sandbox: { budgetMs: 2_000 } });
      results.set(name, r);
      if (r.verdict === 'accepted') opened.push(r.sandbox);
      expect(r.verdict === 'accepted' ? 'accepted' : r.kind, `${name}: ${r.verdict === 'rejected' ? r.reasons.join('; ') : ''}`).toBe(EXPECTED[name]);
    }
    const reasons = (name: string) => {
      const r = results.get(name)!;
      return r.verdict === 'rejected' ? r.reasons.join('\n') : '';
    };
    expect(reasons('syntax-error')).toMatch(/^syntax error: Unexpected token \(5:40\)$/);
    expect(reasons('process-exit')).toMatch(/line 5: 'process' is not allowed \(process access\)/);
    expect(reasons('require-fs')).toMatch(/line 1: 'require' is not allowed \(module loading\)/);
    expect(reasons('infinite-loop')).toMatch(/getSignal exceeded its 2000 ms budget \(ETH\/BTC at 2018-01-21T00:00:00\.000Z\); the sandbox was killed/);
    expect(reasons('unbounded-memory')).toBe('exceeded its memory limit (64 MB heap); the sandbox was ended');
    expect(reasons('invalid-signal')).toMatch(/^smoke run: strategy 'upside-down' on ETH\/BTC at 2018-01-21T00:00:00.000Z: invalid signal: long: priceTakeProfit .* must be above current price/);
    expect(reasons('prose-only')).toBe('no fenced code block in the response (prose only)');
    // The rejected code's hash names it (prose has no code, so no hash).
    expect(results.get('prose-only')!.hash).toBeNull();
    expect(results.get('require-fs')!.hash).toMatch(/^[0-9a-f]{64}$/);
    // Still here: the spinner and the hoarder ended only their own sandboxes (a worker thread's hoarder would have
    // aborted this process: V8 ends the whole process when one allocation overshoots a worker's heap limit).
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('a sandboxed strategy gives exactly the events of the same code run natively (ctx.candles across intervals)', async () => {
    // 600 base candles cut the 15m history short (the oldest-bucket rule); the breakout needs a day of them.
    for (const [name, capacity] of [['sma-cross-params', 600], ['breakout-1h', 2_000], ['mean-reversion-5m', 600]] as const) {
      const code = (extractModule(fixture(name)) as { code: string }).code;
      const native = (await import(`data:text/javascript,${encodeURIComponent(code)}`)).default as Strategy;
      const checked = await checkGeneratedCode(code);
      if (!checked.ok) throw new Error(checked.reasons.join('; '));
      const sandbox = await loadSandboxedStrategy(checked.script, { capacity });
      opened.push(sandbox);
      const run = (s: Strategy) =>
        firstValueFrom(backtest({ source, strategies: [s], config: { ...config, historyCandles: capacity }, timerange: { from: Date.UTC(2018, 0, 21), to: Date.UTC(2018, 0, 23) } }).pipe(toArray()));
      const [a, b] = [await run(native), await run(sandbox.strategy)];
      expect(b.filter((e) => e.action === 'error')).toEqual([]);
      expect(b.filter((e) => e.action === 'closed').length, name).toBeGreaterThan(0);
      expect(b).toEqual(a);
    }
  });

  it('code that slips past the allow-list still cannot make code from strings inside the sandbox', async () => {
    const script = "({ name: 'sneaky', interval: '5m', getSignal(ctx) { const k = 'con' + 'structor'; return ctx.candles[k][k]('return process')().exit(3); } })";
    const sandbox = await loadSandboxedStrategy(script, { budgetMs: 1_000 });
    opened.push(sandbox);
    const events = await firstValueFrom(backtest({ source, strategies: [sandbox.strategy], config, timerange: smokeRange }).pipe(toArray()));
    const errors = events.filter((e) => e.action === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect((errors[0] as { message: string }).message).toMatch(/getSignal rejected: getSignal threw: EvalError: Code generation from strings disallowed/);
    expect(sandbox.failure()).toBeNull();
  });
});
