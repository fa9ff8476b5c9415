import { z } from 'zod';

const finite = z.number().finite();

export const IntParamSchema = z.strictObject({
  type: z.literal('int'),
  min: z.number().int(),
  max: z.number().int(),
  step: z.number().int().positive().optional(),
  default: z.number().int(),
});
export const FloatParamSchema = z.strictObject({
  type: z.literal('float'),
  min: finite,
  max: finite,
  step: finite.positive().optional(),
  /** Sampled uniformly in log space (min > 0). */
  log: z.boolean().optional(),
  default: finite,
});
export const ChoiceValueSchema = z.union([z.string(), finite, z.boolean()]);
export const ChoiceParamSchema = z.strictObject({
  type: z.literal('choice'),
  values: z.array(ChoiceValueSchema).min(1).readonly(),
  default: ChoiceValueSchema,
});
export const ParamSpecSchema = z.discriminatedUnion('type', [IntParamSchema, FloatParamSchema, ChoiceParamSchema]);
export const ParamSpaceSchema = z.record(z.string(), ParamSpecSchema);

export type IntParam = z.infer<typeof IntParamSchema>;
export type FloatParam = z.infer<typeof FloatParamSchema>;
export type ChoiceParam = z.infer<typeof ChoiceParamSchema>;
export type ParamSpec = z.infer<typeof ParamSpecSchema>;
export type ParamSpace = z.infer<typeof ParamSpaceSchema>;
export type ParamValue = z.infer<typeof ChoiceValueSchema>;
/** One value per declared parameter, in declaration order; frozen when it comes from this module. */
export type ParamAssignment = Readonly<Record<string, ParamValue>>;

/** What a parameterised strategy adds to a strategy (RESEARCH §1). */
export interface Parameterised {
  readonly name: string;
  readonly params?: ParamSpace;
  readonly constraint?: (params: ParamAssignment) => boolean;
}

/** A parameter space or assignment that breaks a rule: names the strategy, the parameter and the rule. */
export class ParamSpaceError extends Error {
  override readonly name = 'ParamSpaceError';
  constructor(
    readonly strategy: string,
    readonly parameter: string,
    readonly rule: string,
  ) {
    super(`strategy "${strategy}", parameter "${parameter}": ${rule}`);
  }
}

/** Characters that would make a candidate name `NAME[k=v,…]` ambiguous. */
const RESERVED = /[,=[\]]/;

/**
 * Check a strategy's declared space (RESEARCH §1) and return it typed. One {@link ParamSpaceError} for the first
 * broken rule: unknown type, a malformed field, min > max, a step that does not divide the range, a default out of
 * the range or off the step grid, log with min ≤ 0 or with a step, a choice default not among the values.
 *
 * @example
 * ```ts
 * const space = validateParamSpace('sma-cross', {
 *   fast: { type: 'int', min: 5, max: 50, step: 5, default: 10 },
 *   slow: { type: 'int', min: 20, max: 200, step: 10, default: 50 },
 *   mode: { type: 'choice', values: ['close', 'vwap'], default: 'close' },
 * });
 * ```
 */
export function validateParamSpace(strategy: string, space: unknown): ParamSpace {
  if (typeof space !== 'object' || space === null || Array.isArray(space)) {
    throw new ParamSpaceError(strategy, '(params)', 'params must be an object of parameter specs');
  }
  const out: Record<string, ParamSpec> = {};
  for (const [name, raw] of Object.entries(space)) {
    const fail = (rule: string): never => {
      throw new ParamSpaceError(strategy, name, rule);
    };
    if (name === '' || RESERVED.test(name)) fail('a name must be non-empty and free of , = [ ]');
    const type = (raw as { type?: unknown } | null)?.type;
    if (type !== 'int' && type !== 'float' && type !== 'choice') fail(`unknown type ${JSON.stringify(type)} (expected "int", "float" or "choice")`);
    const parsed = ParamSpecSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      fail(`${issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'spec'}: ${issue.message}`);
    }
    const spec = parsed.data!;
    if (spec.type === 'choice') {
      const keys = spec.values.map(valueKey);
      if (new Set(keys).size !== keys.length) fail('choice values must be distinct');
      for (const v of spec.values) if (typeof v === 'string' && (v === '' || RESERVED.test(v))) fail(`choice value ${JSON.stringify(v)} must be non-empty and free of , = [ ]`);
      if (!keys.includes(valueKey(spec.default))) fail(`default ${JSON.stringify(spec.default)} is not among the values`);
    } else {
      if (spec.min > spec.max) fail(`min ${spec.min} > max ${spec.max}`);
      if (spec.type === 'float' && spec.log && spec.min <= 0) fail(`log needs min > 0 (min is ${spec.min})`);
      if (spec.type === 'float' && spec.log && spec.step !== undefined) fail('log and step cannot be combined');
      if (spec.step !== undefined && !onLattice(spec.max - spec.min, spec.step)) fail(`step ${spec.step} does not divide the range ${spec.min}..${spec.max}`);
      const problem = rangeProblem(spec, spec.default);
      if (problem) fail(`default ${problem}`);
    }
    out[name] = spec;
  }
  return out;
}

/** Why `value` is not in the spec's space, or null. */
export function valueProblem(spec: ParamSpec, value: ParamValue): string | null {
  if (spec.type === 'choice') {
    return spec.values.some((v) => valueKey(v) === valueKey(value)) ? null : `${JSON.stringify(value)} is not among the values ${spec.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${JSON.stringify(value)} is not a finite number`;
  if (spec.type === 'int' && !Number.isInteger(value)) return `${value} is not an integer`;
  return rangeProblem(spec, value);
}

function rangeProblem(spec: IntParam | FloatParam, value: number): string | null {
  if (value < spec.min || value > spec.max) return `${value} is outside ${spec.min}..${spec.max}`;
  if (spec.step !== undefined && !onLattice(value - spec.min, spec.step)) return `${value} is not on the grid ${spec.min} + k·${spec.step}`;
  return null;
}

/** Whether `distance` is a whole number of `step`s, up to float rounding. */
function onLattice(distance: number, step: number): boolean {
  const k = distance / step;
  return Math.abs(k - Math.round(k)) <= 1e-9 * Math.max(1, Math.abs(k));
}

/** The i-th point of min + k·step, rounded to the decimals of min and step so names stay short (0.3, not 0.30000000000000004). */
export function latticeValue(min: number, step: number, i: number): number {
  const decimals = Math.min(20, Math.max(decimalsOf(min), decimalsOf(step)));
  return Number((min + i * step).toFixed(decimals));
}

function decimalsOf(x: number): number {
  const [mantissa, exponent] = String(x).split('e');
  const fraction = mantissa!.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/** Distinguishes 1 from "1" and true from "true". */
export function valueKey(v: ParamValue): string {
  return `${typeof v}:${String(v)}`;
}

/** The defaults of a space, frozen, in declaration order. */
export function defaultParams(space: ParamSpace = {}): ParamAssignment {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(space)) out[name] = spec.default;
  return Object.freeze(out);
}

/**
 * `--param k=v …` into a full assignment (unlisted parameters take their default), frozen, in declaration order.
 * Numbers parse as numbers, a choice value matches by its text. An unknown name, a repeated name, a value not in
 * the space is a {@link ParamSpaceError}.
 *
 * @example
 * ```ts
 * parseParamAssignments(['fast=15', 'mode=vwap'], space, 'sma-cross'); // { fast: 15, slow: 50, mode: 'vwap' }
 * ```
 */
export function parseParamAssignments(assignments: readonly string[], space: ParamSpace = {}, strategy = '(strategy)'): ParamAssignment {
  const given = new Map<string, ParamValue>();
  for (const text of assignments) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new ParamSpaceError(strategy, text, `--param expects NAME=VALUE, got ${JSON.stringify(text)}`);
    const name = text.slice(0, eq);
    const raw = text.slice(eq + 1);
    const spec = space[name];
    if (!spec) throw new ParamSpaceError(strategy, name, `no such parameter (declared: ${Object.keys(space).join(', ') || 'none'})`);
    if (given.has(name)) throw new ParamSpaceError(strategy, name, 'given more than once');
    const value = spec.type === 'choice' ? (spec.values.find((v) => String(v) === raw) ?? raw) : raw.trim() === '' ? NaN : Number(raw);
    const problem = valueProblem(spec, value);
    if (problem) throw new ParamSpaceError(strategy, name, `--param value ${problem}`);
    given.set(name, value);
  }
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(space)) out[name] = given.has(name) ? given.get(name)! : spec.default;
  return Object.freeze(out);
}

/**
 * A candidate's lane key and event `strategy`: `NAME[k1=v1,k2=v2]`, keys in declaration order, numbers in their
 * shortest round-trip form (`String`); just `NAME` for a strategy without parameters.
 *
 * @example
 * ```ts
 * candidateName('sma-cross', space, { fast: 15, slow: 50, mode: 'vwap' }); // 'sma-cross[fast=15,slow=50,mode=vwap]'
 * ```
 */
export function candidateName(name: string, space: ParamSpace, params: ParamAssignment): string {
  const keys = Object.keys(space);
  if (keys.length === 0) return name;
  return `${name}[${keys.map((k) => `${k}=${String(params[k])}`).join(',')}]`;
}

/**
 * Whether the strategy's `constraint` accepts the assignment (true without one). A constraint that throws or
 * answers anything but a boolean is a {@link ParamSpaceError}: silently skipping would hide trials.
 */
export function satisfiesConstraint(strategy: Parameterised, params: ParamAssignment): boolean {
  if (!strategy.constraint) return true;
  let ok: unknown;
  try {
    ok = strategy.constraint(params);
  } catch (error) {
    throw new ParamSpaceError(strategy.name, '(constraint)', `constraint threw on ${JSON.stringify(params)}: ${(error as Error).message}`);
  }
  if (typeof ok !== 'boolean') throw new ParamSpaceError(strategy.name, '(constraint)', `constraint must return a boolean, returned ${JSON.stringify(ok)}`);
  return ok;
}
