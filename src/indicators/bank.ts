import type { Candle } from '../core/candle.js';
import type { CandleHistory } from '../core/history.js';
import { INTERVAL_MS, intervalMs, type Interval } from '../core/intervals.js';
import { BucketAggregator, bucketStart } from './aggregator.js';
import type { IndicatorValue } from './catalog.js';
import { IndicatorInstance, valueAfter } from './instance.js';
import type { ParsedIndicatorSpec } from './spec.js';

/** The instances fed from one interval: the base candles themselves, or one aggregator's closed buckets. */
interface Group {
  readonly ms: number;
  readonly aggregator: BucketAggregator | null;
  readonly members: IndicatorInstance[];
}

/** A declared indicator that cannot run on this symbol's candles (its interval is not a multiple of the base). */
export class IndicatorIntervalError extends Error {
  override readonly name = 'IndicatorIntervalError';
}

/**
 * One symbol's indicators, next to its candle history and fed at the same moment (each closed base candle as it
 * enters history). Identical specs — kind, settings, interval, input, lag — share one instance, whichever strategy or
 * candidate declared them, so an optimisation's candidates do not recompute the same window.
 *
 * An instance declared later starts from what history holds then (its closed candles of the interval, as
 * `ctx.candles` serves them), so it is warm as soon as history is. A read at the newest close is the instance's
 * value; a read for an earlier step (a lane running late behind an async strategy) is computed from the candles
 * history showed at that step: no step sees a candle that had not closed by its `now`.
 */
export class IndicatorBank {
  private readonly groups: Group[] = [];
  private readonly byKey = new Map<string, IndicatorInstance>();
  /** Instances held; 0 keeps the per-candle cost at one comparison. */
  size = 0;
  /** The close instant of the newest candle fed. */
  newestNow = -Infinity;

  constructor(readonly history: CandleHistory) {}

  /** The base candle closing at `now`, just pushed into history. */
  push(candle: Candle, now: number): void {
    this.newestNow = now;
    const groups = this.groups;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      if (group.aggregator !== null) {
        group.aggregator.push(candle);
        continue;
      }
      const members = group.members;
      for (let i = 0; i < members.length; i++) members[i]!.update(candle);
    }
  }

  /** The shared instance for `spec`, made (and warmed from history) if it is the first of its kind. */
  register(spec: ParsedIndicatorSpec, what: string): IndicatorInstance {
    const history = this.history;
    const baseMs = history.baseMs;
    const ms = spec.interval === undefined ? baseMs : intervalMs(spec.interval);
    if (ms < baseMs || ms % baseMs !== 0) {
      throw new IndicatorIntervalError(
        `${what}: field interval: ${spec.interval} is not a multiple of the candles' interval (${baseMs / 60_000}m)`,
      );
    }
    const key = keyOf(spec, ms);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    if (history.size > 0) this.newestNow = history.fromNewest(0).timestamp + baseMs;
    const instance = new IndicatorInstance(spec);
    for (const c of this.visible(ms, this.newestNow)) instance.update(c);
    this.groupOf(ms).members.push(instance);
    this.byKey.set(key, instance);
    this.size++;
    return instance;
  }

  /** `instance`'s value for a step at `now` (see the class comment). */
  read(instance: IndicatorInstance, now: number): IndicatorValue {
    if (now === this.newestNow) return instance.value();
    const spec = instance.spec;
    return valueAfter(spec, this.visible(spec.interval === undefined ? this.history.baseMs : intervalMs(spec.interval), now));
  }

  /** The closed candles of the interval history shows at `now`, oldest first. */
  private visible(ms: number, now: number): Candle[] {
    const history = this.history;
    if (history.size === 0 || now === -Infinity) return [];
    return history.candles(intervalNamed(ms), Math.max(history.size, history.capacity), now);
  }

  private groupOf(ms: number): Group {
    for (const g of this.groups) if (g.ms === ms) return g;
    const members: IndicatorInstance[] = [];
    const baseMs = this.history.baseMs;
    let aggregator: BucketAggregator | null = null;
    if (ms !== baseMs) {
      aggregator = new BucketAggregator(ms, baseMs, (bucket) => {
        for (let i = 0; i < members.length; i++) members[i]!.update(bucket);
      });
      const [pending, partial] = this.pendingBucket(ms);
      aggregator.prime(pending, partial);
    }
    const group: Group = { ms, aggregator, members };
    this.groups.push(group);
    return group;
  }

  /** The base candles of the newest bucket if it has not closed yet (oldest first), and whether it lost its start. */
  private pendingBucket(ms: number): [Candle[], boolean] {
    const history = this.history;
    if (history.size === 0) return [[], false];
    const newest = history.fromNewest(0);
    const start = bucketStart(newest.timestamp, ms);
    if (start + ms <= this.newestNow) return [[], false];
    const out: Candle[] = [];
    const kept = Math.min(history.size, history.capacity);
    let i = 0;
    while (i < kept && history.fromNewest(i).timestamp >= start) out.push(history.fromNewest(i++));
    return [out.reverse(), i === kept && kept === history.capacity && out[0]!.timestamp > start];
  }
}

const BY_MS = new Map<number, Interval>(Object.entries(INTERVAL_MS).map(([name, ms]) => [ms, name as Interval]));

/** The interval name of a length in ms (every interval length is distinct). */
function intervalNamed(ms: number): Interval {
  return BY_MS.get(ms)!;
}

/** What makes two specs the same instance: every setting, with the interval as its length (base made explicit). */
function keyOf(spec: ParsedIndicatorSpec, ms: number): string {
  const parts: string[] = [];
  for (const k of Object.keys(spec).sort()) {
    if (k === 'interval') continue;
    parts.push(`${k}=${String((spec as Record<string, unknown>)[k])}`);
  }
  parts.push(`ms=${ms}`);
  return parts.join(',');
}
