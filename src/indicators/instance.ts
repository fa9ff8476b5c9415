import type { Candle } from '../core/candle.js';
import { inputOf, KINDS, priceOf, resultOf, type IndicatorKindInfo, type IndicatorObject, type IndicatorValue, type LibraryIndicator } from './catalog.js';
import type { IndicatorInput, ParsedIndicatorSpec } from './spec.js';

/**
 * One library indicator fed closed candles of its interval, with the lag its spec asks for (`shift`): the values of
 * the last `shift + 1` candles are kept in a small ring, numbers in a typed array so nothing is boxed per candle.
 */
export class IndicatorInstance {
  private readonly lib: LibraryIndicator;
  private readonly kind: IndicatorKindInfo;
  private readonly input: IndicatorInput | null;
  private readonly shift: number;
  /** Inputs given so far. */
  updates = 0;
  // shift > 0: the last shift + 1 results (NaN: none yet) or result objects, `pos` the newest.
  private readonly numbers: Float64Array | null;
  private readonly objects: unknown[] | null;
  private pos = 0;
  // The frozen object handed out for multi-part results, made at most once per update and only when read.
  private cached: IndicatorObject | null = null;
  private cachedAt = -1;

  constructor(readonly spec: ParsedIndicatorSpec) {
    this.kind = KINDS[spec.kind];
    this.lib = this.kind.create(spec);
    this.input = inputOf(spec);
    this.shift = spec.shift;
    const keep = this.shift > 0 ? this.shift + 1 : 0;
    this.numbers = keep > 0 && this.kind.output === undefined ? new Float64Array(keep).fill(NaN) : null;
    this.objects = keep > 0 && this.kind.output !== undefined ? new Array<unknown>(keep).fill(null) : null;
  }

  /** One closed candle of the indicator's interval. */
  update(c: Candle): void {
    const lib = this.lib as { update(input: unknown, replace: false): unknown };
    const input = this.input;
    lib.update(input === null ? c : priceOf(input, c), false);
    this.updates++;
    if (this.shift === 0) return;
    const pos = this.pos + 1 === this.shift + 1 ? 0 : this.pos + 1;
    this.pos = pos;
    const now = resultOf(this.kind, this.spec, this.lib, this.updates);
    if (this.numbers !== null) this.numbers[pos] = now === null ? NaN : (now as number);
    else this.objects![pos] = now;
  }

  /** The value a strategy reads: a number, a frozen object, or null until warm. */
  value(): IndicatorValue {
    const output = this.kind.output;
    if (this.shift === 0) {
      if (output === undefined) return resultOf(this.kind, this.spec, this.lib, this.updates) as number | null;
      if (this.cachedAt !== this.updates) {
        const r = resultOf(this.kind, this.spec, this.lib, this.updates);
        this.cached = r === null ? null : output(r as never);
        this.cachedAt = this.updates;
      }
      return this.cached;
    }
    let at = this.pos - this.shift;
    if (at < 0) at += this.shift + 1;
    if (this.numbers !== null) {
      const v = this.numbers[at]!;
      return v === v ? v : null;
    }
    if (this.cachedAt !== this.updates) {
      const r = this.objects![at];
      this.cached = r === null || r === undefined ? null : output!(r as never);
      this.cachedAt = this.updates;
    }
    return this.cached;
  }

  /**
   * Inputs to feed before the first value a decision reads: the library's count, or for recursive kinds as many as
   * make the value independent of where feeding began (`memory`), plus the lag.
   */
  get required(): number {
    return Math.max(this.lib.getRequiredInputs(), this.kind.memory?.(this.spec) ?? 0) + this.shift;
  }
}

/** The spec's value after feeding `candles` (oldest first) to a fresh instance: the batch form of the same maths. */
export function valueAfter(spec: ParsedIndicatorSpec, candles: readonly Candle[]): IndicatorValue {
  const one = new IndicatorInstance(spec);
  for (const c of candles) one.update(c);
  return one.value();
}
