import { readFile } from 'node:fs/promises';
import { resolveConfig, type Config } from '../core/config.js';
import { UserError } from './user-error.js';

/** Read `--config FILE.json`: any subset of the config keys; unknown keys are named in the error. */
export async function readConfigFile(path: string | undefined): Promise<Config> {
  if (path === undefined) return resolveConfig();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`config ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`config ${path}: invalid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UserError(`config ${path}: expected a JSON object`);
  return resolveConfig(json as Record<string, unknown>, `config ${path}`);
}
