import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in tickflow's package.json: the nearest one named tickflow above this (bundled or source) file. */
export function tickflowVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'tickflow' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: keep looking upwards
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
