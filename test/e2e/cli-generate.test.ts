import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineStrategy, type Strategy } from '../../src/core/strategy.js';
import { answerFromFixtures, ETH_1M, EXPECTED, FIRST_ROUND, HAVE_DATA } from '../generate/llm-fixtures.js';
import { LlmServer } from '../support/llm-server.js';
import { tempDir } from '../support/temp-store.js';
import { CLI, ROOT, type CliResult } from './run-cli.js';

/** The CLI as a real process, awaited without blocking this event loop (the LLM server answers from it). */
function runCliAsync(args: readonly string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** The last line on stderr: progress lines come before it. */
const lastLine = (text: string) => `${text.split('\n').filter((l) => l !== '').at(-1) ?? ''}\n`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const server = new LlmServer({ models: ['qwen2.5-coder:14b'], answer: answerFromFixtures });
let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  await server.start();
  dir = await tempDir('tickflow-cli-generate-');
});
afterAll(async () => {
  await server.stop();
  await dir.cleanup();
});

/** Every module reachable from `entry` by static imports (not `import()`), and the packages they import. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s*(?:[\w*${}\s,]+from\s*)?["']([^"']+)["']/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('tickflow generate (built CLI)', () => {
  it('a plain backtest never loads the LLM clients or the code checker: they are only reached by import()', () => {
    expect(existsSync(CLI)).toBe(true);
    for (const entry of [CLI, resolve(ROOT, 'dist/index.js')]) {
      const { files, packages } = staticGraph(entry);
      // The graph is read for real: the entry's own static dependencies are in it (the CLI bundles rxjs; see tsup.config.ts).
      expect([...packages]).toContain(entry === CLI ? 'worker_threads' : 'rxjs');
      for (const heavy of ['ollama', 'openai', 'acorn', 'acorn-walk', 'lmdb']) expect([...packages], `${entry} imports ${heavy} statically`).not.toContain(heavy);
    }
    // …and the generate command is reached, lazily, from the CLI.
    expect(readFileSync(CLI, 'utf8')).toMatch(/import\("\.\.?\/[\w/-]*generate-command-\w+\.js"\)/);
  });

  it.skipIf(!HAVE_DATA)('writes strategies, prompts, responses, generate.json and report.html; a rerun from the cache with the server stopped gives the same bytes', async () => {
    const first = join(dir.path, 'first');
    const common = ['--candles', ETH_1M, '--symbol', 'ETH/BTC', '--train', '3d', '--test', '2d', '--holdout', '1d', '--candidates', '5', '--seed', '3', '--period', '4h', '--splits', '8'];
    const r1 = await runCliAsync(['generate', ...common, '--host', server.url, '--stream', '--out', first]);
    expect(r1.stderr + r1.stdout).toMatch(/Output: /);
    expect(r1.code).toBe(0);
    const names = FIRST_ROUND.slice(0, 5);
    for (const [i, name] of names.entries()) {
      const line = r1.stdout.split('\n').find((l) => l.startsWith(`r1c0${i + 1}`))!;
      expect(line, name).toContain(EXPECTED[name] === 'accepted' ? ': accepted (' : `: rejected, ${EXPECTED[name]}: `);
    }
    expect(r1.stdout).toMatch(/^verdict: /m);
    expect(server.chats).toHaveLength(5);

    const json = readFileSync(join(first, 'generate.json'), 'utf8');
    const study = JSON.parse(json) as { candidates: { id: string; verdict: string; responseHash: string; requestKey: string; sourceHash: string | null; files: { prompt: string; response: string; strategy: string | null } }[]; overfitting: { trials: number } };
    expect(study.candidates.map((c) => c.verdict)).toEqual(names.map((n) => (EXPECTED[n] === 'accepted' ? 'accepted' : 'rejected')));
    for (const c of study.candidates) {
      const response = readFileSync(join(first, c.files.response), 'utf8');
      expect(sha256(response)).toBe(c.responseHash);
      expect(c.files.response).toBe(`responses/${c.id}-${c.responseHash.slice(0, 12)}.md`);
      expect(readFileSync(join(first, c.files.prompt), 'utf8')).toContain(`request sha256 ${c.requestKey}`);
      if (c.files.strategy !== null) {
        // A survivor's module is a runnable strategy as it stands.
        const mod = (await import(pathToFileURL(join(first, c.files.strategy)).href)) as { default: Strategy };
        expect(defineStrategy(mod.default).name).toBeTruthy();
      }
    }
    expect(readdirSync(join(first, 'strategies'))).toHaveLength(3);
    const html = readFileSync(join(first, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Candidates</h2>');
    expect(html).toMatch(/Trials counted \(N\): \d+/);
    expect(html).toContain('<svg');

    // Server gone: every answer comes from the cache, and the study is the same to the byte.
    await server.stop();
    const second = join(dir.path, 'second');
    const r2 = await runCliAsync(['generate', ...common, '--host', server.url, '--cache', join(first, 'llm-cache'), '--out', second]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/^r1c01 sma-cross-15m \(cached\): accepted/m);
    expect(readFileSync(join(second, 'generate.json'), 'utf8')).toBe(json);
    expect(readFileSync(join(second, 'report.html'), 'utf8')).toBe(html);

    // Offline with an answer missing (another seed): one clear line, exit 2.
    const r3 = await runCliAsync(['generate', ...common.map((a) => (a === '3' ? '4' : a)), '--offline', '--cache', join(first, 'llm-cache'), '--out', join(dir.path, 'third')]);
    expect(r3.code).toBe(2);
    expect(lastLine(r3.stderr)).toMatch(/^tickflow: no cached answer for request [0-9a-f]{64} \(model qwen2\.5-coder:14b, seed 5\) in .*llm-cache, and --offline forbids asking the model\n$/);
    await server.start();
  });

  it.skipIf(!HAVE_DATA)('--openai-base-url asks an OpenAI-compatible server through the openai client', async () => {
    const before = server.chats.length;
    const out = join(dir.path, 'openai');
    const r = await runCliAsync(['generate', '--candles', ETH_1M, '--symbol', 'ETH/BTC', '--train', '3d', '--test', '2d', '--candidates', '1', '--openai-base-url', `${server.url}/v1`, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^r1c01 sma-cross-15m: accepted/m);
    expect(server.chats.slice(before).map((c) => c.path)).toEqual(['/v1/chat/completions']);
    expect(existsSync(join(out, 'generate.json'))).toBe(true);
  });

  it.skipIf(!HAVE_DATA)('an unreachable server and a missing model are one clear line each', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const base = ['generate', '--candles', ETH_1M, '--symbol', 'ETH/BTC', '--train', '3d', '--test', '2d', '--candidates', '1', '--retries', '0'];
    const down = await runCliAsync([...base, '--host', `http://127.0.0.1:${port}`, '--out', join(dir.path, 'down')]);
    expect(down.code).toBe(2);
    expect(lastLine(down.stderr)).toBe(`tickflow: cannot reach Ollama at http://127.0.0.1:${port} (ECONNREFUSED): is \`ollama serve\` running? (--host URL for another address)\n`);
    const missing = await runCliAsync([...base, '--host', server.url, '--model', 'llama3:70b', '--out', join(dir.path, 'missing')]);
    expect(missing.code).toBe(2);
    expect(lastLine(missing.stderr)).toBe(`tickflow: model 'llama3:70b' is not available on Ollama at ${server.url} (it has: qwen2.5-coder:14b): run \`ollama pull llama3:70b\`\n`);
  });
});
