import type { z } from 'zod';

/** How an issue's path is named: `'a.b'` by default; a CLI says `--flag`, a candle check `field 'high'`. */
export type KeyName = (path: readonly PropertyKey[]) => string;

const quotedKey: KeyName = (path) => `'${path.map(String).join('.')}'`;

/** Names a record's field (`field 'high'`): candles and stored records, where the path alone reads like a value. */
export const fieldKey: KeyName = (path) => `field ${quotedKey(path)}`;

/**
 * The one place zod issues become text. Each issue reads `'key.path': message`, unknown keys read
 * `unknown key(s) 'a', 'b'`, and a problem of the whole value is its message alone.
 *
 * @example
 * ```ts
 * issueText(issue); // "'count': Too small: expected number to be >0"
 * issueText(issue, (path) => `--${String(path[0])}`); // "--count: Too small: expected number to be >0"
 * ```
 */
export function issueText(issue: z.core.$ZodIssue, key: KeyName = quotedKey): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return issue.path.length > 0 ? `${key(issue.path)}: ${issue.message}` : issue.message;
}

/** Every problem of a failed parse on one line, after `what` names the input: `config x.json: 'a': …; 'b': …`. */
export function problemsLine(error: z.ZodError, what: string): string {
  return `${what}: ${error.issues.map((issue) => issueText(issue)).join('; ')}`;
}

/**
 * Parse `input` with `schema`, or throw `fail(line)` with every problem on one line (see {@link problemsLine}): the
 * caller picks the error class, so each boundary keeps its own error type.
 *
 * @example
 * ```ts
 * const config = parseOrThrow(ConfigSchema, json, 'config x.json', (m) => new ConfigError(m));
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string, fail: (line: string) => Error): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw fail(problemsLine(parsed.error, what));
}

/**
 * A thrown value as one line of text, whatever was thrown: an Error's first message line (or its name), anything else
 * as JSON (`non-Error value thrown: "boom"`), never a stack.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) return (err.message || err.name).split('\n')[0]!;
  let text: string;
  try {
    text = JSON.stringify(err) ?? String(err);
  } catch {
    text = String(err);
  }
  return `non-Error value thrown: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
