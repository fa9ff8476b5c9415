import { defineRisk, type RiskProfile } from '../core/risk.js';
import { createRiskBook } from '../core/risk-book.js';
import type { Strategy } from '../core/strategy.js';
import { describeError } from '../core/problems.js';
import { importUserModule } from './load-module.js';
import { UserError } from './user-error.js';

/** The risk profiles a `--risk` module's default export gives: one profile or an array of them. */
export async function loadRiskProfiles(path: string): Promise<RiskProfile[]> {
  const mod = await importUserModule(path, 'risk');
  const exported = mod.default;
  if (exported === undefined) throw new UserError(`risk module ${path} has no default export (expected a risk profile or an array of them)`);
  const list: unknown[] = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0) throw new UserError(`risk module ${path} exports an empty array`);
  return list.map((p, i) => {
    const which = `risk module ${path}${list.length > 1 ? ` [${i}]` : ''}`;
    try {
      return defineRisk(p as RiskProfile, which);
    } catch (err) {
      // defineRisk names the module in its own errors; a getter or proxy of the module's may throw anything.
      throw new UserError(err instanceof Error && err.message.startsWith(which) ? err.message : `${which}: reading its default export failed: ${describeError(err)}`);
    }
  });
}

/**
 * Every profile of the `--risk` modules, checked against the strategies before the run starts: names must be unique
 * and every profile a strategy names must be among them.
 */
export async function loadRisk(paths: readonly string[], strategies: readonly Strategy[]): Promise<RiskProfile[]> {
  const profiles = (await Promise.all(paths.map(loadRiskProfiles))).flat();
  try {
    createRiskBook(profiles).register(strategies);
  } catch (err) {
    const hint = profiles.length === 0 ? ' (give the module that defines it with --risk FILE)' : '';
    throw new UserError(`${describeError(err)}${hint}`);
  }
  return profiles;
}
