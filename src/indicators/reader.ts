import type { Bar } from '../core/lane.js';
import type { IndicatorBank } from './bank.js';
import type { IndicatorValue } from './catalog.js';
import { parseIndicators, type IndicatorDeclaration } from './declare.js';
import type { IndicatorInstance } from './instance.js';
import type { ParsedIndicatorSpec } from './spec.js';

/** `ctx.indicators`: each declared name's current value (null until warm). */
export type IndicatorValues = Readonly<Record<string, IndicatorValue>>;

/** A bar made by `BarBook`: it carries its symbol's indicators. */
export interface IndicatorBar extends Bar {
  readonly indicators: IndicatorBank;
}

/** What a strategy without indicators reads. */
export const NO_INDICATORS: IndicatorValues = Object.freeze({});

/** One lane's view: a frozen object with a getter per name, read at the step's `now`, made once per lane. */
class LaneIndicators {
  now = 0;
  readonly view: IndicatorValues;

  constructor(bank: IndicatorBank, specs: readonly [string, ParsedIndicatorSpec][], strategy: string, symbol: string) {
    const view: Record<string, IndicatorValue> = {};
    for (const [name, spec] of specs) {
      const instance: IndicatorInstance = bank.register(spec, `strategy '${strategy}' on ${symbol}: indicator '${name}'`);
      Object.defineProperty(view, name, { enumerable: true, get: () => bank.read(instance, this.now) });
    }
    this.view = Object.freeze(view);
  }
}

/**
 * A strategy's indicators on every symbol it runs on: registered with the symbol's bank at the lane's first ask
 * (sharing identical ones), then read at each ask. Null for a strategy that declares none (nothing to do per ask).
 */
export class IndicatorReader {
  private readonly lanes = new Map<IndicatorBank, LaneIndicators>();

  private constructor(
    private readonly strategy: string,
    private readonly specs: readonly [string, ParsedIndicatorSpec][],
  ) {}

  /** Checks the declaration for these parameter values (throws {@link IndicatorSpecError}). */
  static of(strategy: { readonly name: string; readonly indicators?: IndicatorDeclaration }, params: Readonly<Record<string, unknown>>): IndicatorReader | null {
    if (strategy.indicators === undefined) return null;
    return new IndicatorReader(strategy.name, parseIndicators(strategy.name, strategy.indicators, params));
  }

  /** `ctx.indicators` for the step of `bar`. */
  read(bar: Bar): IndicatorValues {
    const bank = (bar as Partial<IndicatorBar>).indicators;
    if (bank === undefined) throw new Error(`strategy '${this.strategy}' declares indicators: its bars must come from averagePrice / BarBook`);
    let lane = this.lanes.get(bank);
    if (lane === undefined) {
      lane = new LaneIndicators(bank, this.specs, this.strategy, bar.symbol);
      this.lanes.set(bank, lane);
    }
    lane.now = bar.now;
    return lane.view;
  }
}
