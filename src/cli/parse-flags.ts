import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { issueText } from '../core/problems.js';
import { UserError } from './user-error.js';

/** Read `argv` with node's parser (strict, no positionals); an unknown or malformed flag is a one-line UserError. */
export function readArgs(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, unknown> {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    throw new UserError((err as Error).message.split('\n')[0]!);
  }
}

/** Validate flags with `schema`; the first problem becomes a one-line UserError naming its flag. */
export function parseFlags<S extends z.ZodType>(schema: S, values: unknown): z.output<S> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  throw new UserError(issueText(parsed.error.issues[0]!, (path) => `--${String(path[0])}`));
}
