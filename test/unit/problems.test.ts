import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeError, issueText, parseOrThrow, problemsLine } from '../../src/core/problems.js';

const Schema = z.strictObject({ count: z.number().positive(), nested: z.object({ name: z.string() }).optional() });
const errorOf = (input: unknown) => {
  const r = Schema.safeParse(input);
  if (r.success) throw new Error('expected a failure');
  return r.error;
};

describe('the zod problems kernel', () => {
  it('names each key, lists unknown keys, and takes another way of naming keys', () => {
    const error = errorOf({ count: 0, nested: { name: 1 }, typo: 1, other: 2 });
    expect(error.issues.map((i) => issueText(i))).toEqual([
      "'count': Too small: expected number to be >0",
      "'nested.name': Invalid input: expected string, received number",
      "unknown key(s) 'typo', 'other'",
    ]);
    expect(issueText(error.issues[0]!, (path) => `--${String(path[0])}`)).toBe('--count: Too small: expected number to be >0');
  });

  it('puts every problem on one line after the name of the input, and throws the error class the caller picks', () => {
    expect(problemsLine(errorOf({ count: -1, x: 1 }), 'options')).toBe("options: 'count': Too small: expected number to be >0; unknown key(s) 'x'");
    class MyError extends Error {}
    expect(() => parseOrThrow(Schema, { count: 'a' }, 'thing', (m) => new MyError(m))).toThrow(MyError);
    expect(parseOrThrow(Schema, { count: 2 }, 'thing', (m) => new MyError(m))).toEqual({ count: 2 });
  });

  it('describes whatever was thrown on one line', () => {
    expect(describeError(new Error('first\nsecond'))).toBe('first');
    expect(describeError(new RangeError(''))).toBe('RangeError');
    expect(describeError('boom')).toBe('non-Error value thrown: "boom"');
    expect(describeError(undefined)).toBe('non-Error value thrown: undefined');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeError(circular)).toBe('non-Error value thrown: [object Object]');
  });
});
