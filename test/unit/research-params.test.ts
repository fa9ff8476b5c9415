import { describe, expect, it } from 'vitest';
import {
  candidateName,
  defaultParams,
  parseParamAssignments,
  ParamSpaceError,
  satisfiesConstraint,
  validateParamSpace,
  type Parameterised,
} from '../../src/research/param-space.js';

const space = validateParamSpace('sma-cross', {
  fast: { type: 'int', min: 5, max: 50, step: 5, default: 10 },
  slow: { type: 'int', min: 20, max: 200, step: 10, default: 50 },
  width: { type: 'float', min: 0.1, max: 0.5, step: 0.1, default: 0.2 },
  mode: { type: 'choice', values: ['close', 'vwap', 3, true], default: 'close' },
});

function errorOf(f: () => unknown): ParamSpaceError {
  try {
    f();
  } catch (error) {
    if (error instanceof ParamSpaceError) return error;
    throw error;
  }
  throw new Error('expected a ParamSpaceError');
}

describe('parameter space validation: one error naming strategy, parameter and rule', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['unknown type', { p: { type: 'double', min: 0, max: 1, default: 0 } }, 'p', /unknown type "double" \(expected "int", "float" or "choice"\)/],
    ['min > max', { p: { type: 'int', min: 10, max: 5, default: 7 } }, 'p', /min 10 > max 5/],
    ['default below the range', { p: { type: 'float', min: 1, max: 2, default: 0.5 } }, 'p', /default 0.5 is outside 1..2/],
    ['default off the step grid', { p: { type: 'int', min: 0, max: 10, step: 5, default: 3 } }, 'p', /default 3 is not on the grid 0 \+ k·5/],
    ['step not dividing the range', { p: { type: 'int', min: 0, max: 10, step: 3, default: 0 } }, 'p', /step 3 does not divide the range 0..10/],
    ['float step not dividing the range', { p: { type: 'float', min: 0, max: 1, step: 0.3, default: 0 } }, 'p', /step 0.3 does not divide/],
    ['choice default missing', { p: { type: 'choice', values: ['a', 'b'], default: 'c' } }, 'p', /default "c" is not among the values/],
    ['log with min 0', { p: { type: 'float', min: 0, max: 1, log: true, default: 0.5 } }, 'p', /log needs min > 0/],
    ['a malformed field', { p: { type: 'int', min: 0.5, max: 3, default: 1 } }, 'p', /field "min"/],
    ['an unknown field', { p: { type: 'int', min: 0, max: 3, default: 1, stpe: 1 } }, 'p', /stpe/],
    ['a reserved character in a name', { 'a,b': { type: 'int', min: 0, max: 3, default: 1 } }, 'a,b', /free of , = \[ \]/],
  ];
  for (const [rule, spec, parameter, message] of cases) {
    it(rule, () => {
      const e = errorOf(() => validateParamSpace('my-strat', spec));
      expect(e.strategy).toBe('my-strat');
      expect(e.parameter).toBe(parameter);
      expect(e.message).toMatch(/^strategy "my-strat", parameter "/);
      expect(e.message).toMatch(message);
    });
  }

  it('float steps that divide up to rounding are accepted', () => {
    expect(() => validateParamSpace('s', { p: { type: 'float', min: 0.1, max: 0.7, step: 0.2, default: 0.3 } })).not.toThrow();
  });
});

describe('defaults, --param, candidate names', () => {
  it('defaultParams: frozen, declaration order', () => {
    const d = defaultParams(space);
    expect(Object.keys(d)).toEqual(['fast', 'slow', 'width', 'mode']);
    expect(d).toEqual({ fast: 10, slow: 50, width: 0.2, mode: 'close' });
    expect(Object.isFrozen(d)).toBe(true);
    expect(defaultParams()).toEqual({});
  });

  it('parseParamAssignments: listed values typed, the rest default', () => {
    const p = parseParamAssignments(['slow=120', 'mode=vwap', 'width=0.4'], space, 'sma-cross');
    expect(p).toEqual({ fast: 10, slow: 120, width: 0.4, mode: 'vwap' });
    expect(Object.keys(p)).toEqual(['fast', 'slow', 'width', 'mode']);
    expect(parseParamAssignments(['mode=3'], space).mode).toBe(3);
    expect(parseParamAssignments(['mode=true'], space).mode).toBe(true);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('parseParamAssignments: values not in the space are errors naming strategy, parameter and rule', () => {
    const bad: [string, string, RegExp][] = [
      ['fast=7', 'fast', /--param value 7 is not on the grid 5 \+ k·5/],
      ['fast=55', 'fast', /--param value 55 is outside 5..50/],
      ['fast=1.5', 'fast', /not an integer/],
      ['fast=', 'fast', /not a finite number/],
      ['mode=open', 'mode', /"open" is not among the values "close", "vwap", 3, true/],
      ['speed=3', 'speed', /no such parameter \(declared: fast, slow, width, mode\)/],
      ['fast', 'fast', /expects NAME=VALUE/],
    ];
    for (const [text, parameter, message] of bad) {
      const e = errorOf(() => parseParamAssignments([text], space, 'sma-cross'));
      expect(e.parameter, text).toBe(parameter);
      expect(e.message, text).toMatch(/^strategy "sma-cross"/);
      expect(e.message, text).toMatch(message);
    }
    expect(errorOf(() => parseParamAssignments(['fast=5', 'fast=10'], space, 's')).rule).toBe('given more than once');
  });

  it('candidate names: declaration order, shortest round-trip numbers', () => {
    expect(candidateName('sma-cross', space, { mode: 'vwap', width: 0.1 + 0.2, slow: 120, fast: 15 })).toBe('sma-cross[fast=15,slow=120,width=0.30000000000000004,mode=vwap]');
    expect(candidateName('sma-cross', space, defaultParams(space))).toBe('sma-cross[fast=10,slow=50,width=0.2,mode=close]');
    expect(candidateName('plain', {}, {})).toBe('plain');
  });
});

describe('constraint', () => {
  const strategy: Parameterised = { name: 'sma-cross', params: space, constraint: (p) => (p.fast as number) < (p.slow as number) };

  it('filters candidates', () => {
    expect(satisfiesConstraint(strategy, { ...defaultParams(space), fast: 10, slow: 50 })).toBe(true);
    expect(satisfiesConstraint(strategy, { ...defaultParams(space), fast: 50, slow: 50 })).toBe(false);
    expect(satisfiesConstraint({ name: 'x' }, {})).toBe(true);
  });

  it('a constraint that throws or returns a non-boolean is an error naming the strategy', () => {
    expect(() => satisfiesConstraint({ name: 'x', constraint: () => { throw new Error('boom'); } }, {})).toThrow(/strategy "x", parameter "\(constraint\)": constraint threw on \{\}: boom/);
    expect(() => satisfiesConstraint({ name: 'x', constraint: () => 1 as unknown as boolean }, {})).toThrow(/must return a boolean, returned 1/);
  });
});
