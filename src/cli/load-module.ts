import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError } from '../core/problems.js';
import { defineStrategy, StrategyError, type Strategy } from '../core/strategy.js';
import type { StrategyErrorTrace } from './strategy-errors.js';
import { UserError } from './user-error.js';

/**
 * How long a module given on the command line may take to load (its top-level `await`s included) before the command
 * gives up with an error naming it: 30 s, or `TICKFLOW_MODULE_TIMEOUT_MS`. A module whose `await` can never settle
 * (nothing left that could settle it) is named at once.
 */
export const MODULE_TIMEOUT_MS = 30_000;

function moduleTimeoutMs(): number {
  const env = Number(process.env.TICKFLOW_MODULE_TIMEOUT_MS);
  return Number.isFinite(env) && env > 0 ? env : MODULE_TIMEOUT_MS;
}

/**
 * A module that never finished loading. Whatever it awaits may hold the process open, so the command exits as soon
 * as it has said so.
 */
export class ModuleLoadStuckError extends UserError {
  readonly exitNow = true;
}

/**
 * The import of `href`, or a UserError when it cannot finish: when the event loop runs dry while it is pending (a
 * top-level `await` on something that never settles; Node would otherwise exit 0 in silence) or after the timeout.
 * The timer does not keep the process alive.
 */
function importBounded(href: string, label: string): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const ms = moduleTimeoutMs();
    const settle = () => {
      clearTimeout(timer);
      process.off('beforeExit', stuck);
    };
    const stuck = () => {
      settle();
      reject(new ModuleLoadStuckError(`${label} did not finish loading: its top-level await never settles (nothing is left that could settle it)`));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new ModuleLoadStuckError(`${label} did not finish loading within ${ms} ms (a top-level await that does not settle?)`));
    }, ms);
    timer.unref();
    process.on('beforeExit', stuck);
    import(href).then(
      (mod: Record<string, unknown>) => {
        settle();
        resolvePromise(mod);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
  });
}

/** Import an ES module given on the command line, with a one-line error when it cannot be loaded. */
export async function importUserModule(path: string, what: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  try {
    await access(file);
  } catch {
    throw new UserError(`${what} module ${path}: file not found`);
  }
  try {
    return await importBounded(pathToFileURL(file).href, `${what} module ${path}`);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const hint = /\.(c|m)?ts$/.test(file) ? ' (TypeScript must be compiled to JavaScript first, e.g. an .mjs file)' : '';
    throw new UserError(`${what} module ${path} failed to load: ${describeError(err)}${hint}`);
  }
}

/**
 * The strategies a module's default export names: one strategy or an array of them. With `trace`, each is wrapped
 * to remember where in the module the first error was thrown.
 */
export async function loadStrategies(path: string, trace?: StrategyErrorTrace): Promise<Strategy[]> {
  const mod = await importUserModule(path, 'strategy');
  const exported = mod.default;
  if (exported === undefined) throw new UserError(`strategy module ${path} has no default export`);
  const list = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0) throw new UserError(`strategy module ${path} exports an empty array`);
  return list.map((s, i) => {
    const which = list.length > 1 ? `${path} [${i}]` : path;
    let strategy: Strategy;
    try {
      strategy = defineStrategy(s as Strategy, which);
      if (trace) strategy = trace.wrap(strategy, path);
    } catch (err) {
      // A getter or proxy of the module's own may throw while its export is read.
      throw new UserError(err instanceof StrategyError ? err.message : `strategy module ${which}: reading its default export failed: ${describeError(err)}`);
    }
    return strategy;
  });
}
