import { Observable, type Subscriber } from 'rxjs';
import { z } from 'zod';
import type { SymbolCandle } from '../core/candle.js';
import { resolveConfig, type Config, type ConfigInput } from '../core/config.js';
import type { GateView } from '../core/flow-gate.js';
import { INTERVAL_MS } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import { isCandleSource, type CandleConsumer } from '../sources/candle-source.js';

/**
 * A decision window (RESEARCH §2): strategies decide at the instants `from ≤ now < to`. Either side may be open
 * (null). Epoch milliseconds.
 */
export const TimeRangeSchema = z
  .strictObject({
    from: z.number().int().nullable().default(null),
    to: z.number().int().nullable().default(null),
  })
  .refine((r) => r.from === null || r.to === null || r.from < r.to, 'from must be before to');
export type TimeRange = z.output<typeof TimeRangeSchema>;
export type TimeRangeInput = z.input<typeof TimeRangeSchema>;

/** A time range that cannot be read, with the text and what was expected. */
export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError';
}

function parseInstant(text: string, whole: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const ms = /^-?\d+$/.test(t) ? Number(t) : /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(t) || t.length === 10 ? t : `${t}Z`) : NaN;
  if (!Number.isSafeInteger(ms)) throw new TimeRangeError(`time range ${JSON.stringify(whole)}: ${JSON.stringify(t)} is not an ISO-8601 date or epoch milliseconds`);
  return ms;
}

/**
 * `FROM..TO` (ISO-8601 dates, UTC unless an offset is given, or epoch ms; either side may be empty) into a
 * {@link TimeRange}.
 *
 * @example
 * ```ts
 * parseTimeRange('2018-01-25..2018-01-27'); // { from: 1516838400000, to: 1517011200000 }
 * parseTimeRange('..1516838400000'); // { from: null, to: 1516838400000 }
 * ```
 */
export function parseTimeRange(text: string): TimeRange {
  const parts = text.split('..');
  if (parts.length !== 2) throw new TimeRangeError(`time range ${JSON.stringify(text)}: expected FROM..TO (either side may be empty)`);
  const from = parseInstant(parts[0]!, text);
  const to = parseInstant(parts[1]!, text);
  if (from !== null && to !== null && from >= to) throw new TimeRangeError(`time range ${JSON.stringify(text)}: FROM ${isoTime(from)} is not before TO ${isoTime(to)}`);
  return { from, to };
}

/** `FROM..TO` as text, in ISO-8601 (what reports print). */
export function formatTimeRange(range: TimeRange): string {
  return `${range.from === null ? '' : isoTime(range.from)}..${range.to === null ? '' : isoTime(range.to)}`;
}

/** Stops at the first candle whose close instant is at or after `to` (sources are merged by close instant). */
class UntilConsumer implements CandleConsumer {
  private ended = false;

  constructor(
    private readonly inner: CandleConsumer,
    private readonly to: number,
  ) {}

  next(c: SymbolCandle): void {
    if (this.ended) return;
    if (c.candle.timestamp + INTERVAL_MS[c.interval] >= this.to) {
      this.ended = true;
      this.inner.complete();
      return;
    }
    this.inner.next(c);
  }

  error(err: unknown): void {
    if (!this.ended) this.inner.error(err);
  }

  complete(): void {
    if (this.ended) return;
    this.ended = true;
    this.inner.complete();
  }

  get closed(): boolean {
    return this.ended || this.inner.closed;
  }
}

/** Shaped like a `CandleSource` (drive, withGate) so a windowed tickflow source keeps the backtest's fast path. */
class UntilSource extends Observable<SymbolCandle> {
  constructor(
    private readonly input: Observable<SymbolCandle>,
    private readonly to: number,
  ) {
    super((subscriber: Subscriber<SymbolCandle>) => input.subscribe(new UntilConsumer(subscriber, to)));
  }

  drive(consumer: CandleConsumer, gate?: GateView): () => void {
    if (!isCandleSource(this.input)) throw new Error('drive() needs a tickflow candle source');
    return this.input.drive(new UntilConsumer(consumer, this.to), gate);
  }

  withGate(gate: GateView): UntilSource {
    if (!isCandleSource(this.input)) throw new Error('withGate() needs a tickflow candle source');
    return new UntilSource(this.input.withGate(gate), this.to);
  }
}

/**
 * The candles of `source` whose close instant is before `to` (RESEARCH §2: a candle closing at or after TO is not
 * read; reading stops there). A tickflow source stays one (the fast path); any other Observable is filtered.
 */
export function sourceUntil(source: Observable<SymbolCandle>, to: number | null): Observable<SymbolCandle> {
  if (to === null) return source;
  if (isCandleSource(source)) return new UntilSource(source, to);
  return new Observable<SymbolCandle>((subscriber) => source.subscribe(new UntilConsumer(subscriber, to)));
}

/**
 * What a run over a decision window changes (RESEARCH §2): the source stops before TO, the lanes see no bar before
 * FROM (the bars still fill history and price), and the run ends like `closeAtEnd` so the window's trades are complete.
 */
export function windowRun(
  source: Observable<SymbolCandle>,
  config: ConfigInput | Config | undefined,
  range: TimeRangeInput | undefined,
): { source: Observable<SymbolCandle>; config: Config; decisionsFrom: number | undefined } {
  if (range === undefined) return { source, config: resolveConfig(config as ConfigInput), decisionsFrom: undefined };
  const r = TimeRangeSchema.parse(range);
  return {
    source: sourceUntil(source, r.to),
    config: resolveConfig({ ...(config as ConfigInput), closeAtEnd: true }),
    decisionsFrom: r.from ?? undefined,
  };
}
