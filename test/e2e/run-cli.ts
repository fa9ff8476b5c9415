import { spawnSync } from 'node:child_process';
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

/** Runs the built CLI (`npm test` builds it first) with a bounded time. */
export function runCli(args: readonly string[], cwd = ROOT): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it first)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function sharedFile(name: string): string | null {
  const p = resolve(SHARED_DATA, name);
  if (existsSync(p)) return p;
  console.warn(`skipped: ${p} is absent (the shared market data folder is not next to the repository)`);
  return null;
}
