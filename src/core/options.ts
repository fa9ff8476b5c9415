import type { z } from 'zod';
import { parseOrThrow } from './problems.js';

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
  return parseOrThrow(schema, input, what, (line) => new OptionsError(line));
}
