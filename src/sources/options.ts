import type { z } from 'zod';

/** Options given by a user, checked against a schema; every problem listed on one line, naming the key. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  readonly userError = true;
}

/**
 * Parse user options with a zod schema, or throw an {@link OptionsError} like
 * `syntheticCandles options: 'count': Too small: expected number to be >0`.
 *
 * @example
 * ```ts
 * const opts = parseOptions(MySchema, input, 'candleFile options');
 * ```
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    return issue.path.length > 0 ? `'${issue.path.join('.')}': ${issue.message}` : issue.message;
  });
  throw new OptionsError(`${what}: ${problems.join('; ')}`);
}
