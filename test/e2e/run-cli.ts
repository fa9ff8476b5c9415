import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const CLI = resolve(ROOT, 'dist/cli/main.js');
export const SHARED_DATA = resolve(ROOT, '../shared/data/freqtrade');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI (`npm test` builds it first) with a bounded time; `env` adds to the environment. */
export function runCli(args: readonly string[], cwd = ROOT, env: Readonly<Record<string, string>> = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it first)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FORCE_COLOR: '0', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI like `tickflow … | head -1`: reads stdout up to its first line, then closes the pipe, and resolves
 * when the process has exited, with that line as `stdout`.
 */
export function runCliReadingOneLine(args: readonly string[], cwd = ROOT): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it first)`);
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (child.stdout.destroyed) return;
    stdout += d;
    const nl = stdout.indexOf('\n');
    if (nl >= 0) {
      stdout = stdout.slice(0, nl + 1);
      child.stdout.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function sharedFile(name: string): string | null {
  const p = resolve(SHARED_DATA, name);
  if (existsSync(p)) return p;
  console.warn(`skipped: ${p} is absent (the shared market data folder is not next to the repository)`);
  return null;
}
