import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineStrategy, type Strategy } from '../core/strategy.js';
import { UserError } from './user-error.js';

/** Import an ES module given on the command line, with a one-line error when it cannot be loaded. */
export async function importUserModule(path: string, what: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  try {
    await access(file);
  } catch {
    throw new UserError(`${what} module ${path}: file not found`);
  }
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const hint = /\.(c|m)?ts$/.test(file) ? ' (TypeScript must be compiled to JavaScript first, e.g. an .mjs file)' : '';
    throw new UserError(`${what} module ${path} failed to load: ${(err as Error).message.split('\n')[0]}${hint}`);
  }
}

/** The strategies a module's default export names: one strategy or an array of them. */
export async function loadStrategies(path: string): Promise<Strategy[]> {
  const mod = await importUserModule(path, 'strategy');
  const exported = mod.default;
  if (exported === undefined) throw new UserError(`strategy module ${path} has no default export`);
  const list = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0) throw new UserError(`strategy module ${path} exports an empty array`);
  return list.map((s, i) => {
    try {
      return defineStrategy(s as Strategy, list.length > 1 ? `${path} [${i}]` : path);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
  });
}
