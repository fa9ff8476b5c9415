import { describeError, fieldKey, issueText } from '../core/problems.js';
import { IndicatorSpecSchema, type IndicatorSpec, type ParsedIndicatorSpec } from './spec.js';

/** A strategy's `indicators`: named specs, as a function of its parameter values. */
export type IndicatorDeclaration = (params: Readonly<Record<string, unknown>>) => Readonly<Record<string, IndicatorSpec>>;

/** A declaration that does not give valid indicators; the message names the strategy, the indicator and the field. */
export class IndicatorSpecError extends Error {
  override readonly name = 'IndicatorSpecError';
}

const NAME = /^[A-Za-z_$][\w$]*$/;

/**
 * The checked indicators `declare(params)` gives, in declaration order; every problem of every indicator in one
 * error: `strategy 'x': indicator 'fast': field period: period must be at least 1`.
 */
export function parseIndicators(strategy: string, declare: IndicatorDeclaration, params: Readonly<Record<string, unknown>>): [string, ParsedIndicatorSpec][] {
  const where = `strategy '${strategy}'`;
  let declared: unknown;
  try {
    declared = declare(params);
  } catch (err) {
    throw new IndicatorSpecError(`${where}: indicators(params) threw: ${describeError(err)}`);
  }
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) {
    throw new IndicatorSpecError(`${where}: indicators(params) must return an object of named indicators, e.g. { fast: sma(10) }`);
  }
  const out: [string, ParsedIndicatorSpec][] = [];
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    if (!NAME.test(name)) {
      problems.push(`${where}: indicator '${name}': the name must be an identifier (letters, digits, _ or $)`);
      continue;
    }
    const parsed = IndicatorSpecSchema.safeParse(spec);
    if (parsed.success) out.push([name, parsed.data]);
    else for (const issue of parsed.error.issues) problems.push(`${where}: indicator '${name}': ${issueText(issue, fieldKey)}`);
  }
  if (problems.length > 0) throw new IndicatorSpecError(problems.join('; '));
  return out;
}
