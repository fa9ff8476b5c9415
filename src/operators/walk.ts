import { Observable, type OperatorFunction } from 'rxjs';
import { z } from 'zod';
import type { SignalEvent } from '../core/events.js';
import { StatisticsAccumulator, type BacktestStatistics } from '../core/stats.js';
import type { PortfolioStatistics } from '../core/portfolio-stats.js';
import {
  DEFAULT_WALKER_METRIC,
  isBetter,
  metricValue,
  rankStrategies,
  WalkerMetricSchema,
  type WalkerMetric,
  type WalkerRanking,
} from '../core/walker-rank.js';
import { parseOptions } from '../core/options.js';
import { forward } from '../engine/forward.js';

/** One strategy finished: its statistics, its value of the metric, and the best of the strategies finished so far. */
export interface WalkerProgress {
  readonly type: 'progress';
  readonly metric: WalkerMetric;
  readonly strategy: string;
  /** How many strategies have finished, this one included (1 … total). */
  readonly finished: number;
  readonly total: number;
  readonly value: number | null;
  readonly statistics: BacktestStatistics;
  readonly bestStrategy: string | null;
  readonly bestValue: number | null;
}

/** The final ranking: the metric, the best strategy and every strategy's statistics in rank order. */
export interface WalkerResult extends WalkerRanking {
  readonly type: 'result';
}

/** What a walker emits: a progress event per strategy finished, then the result. */
export type WalkerEvent = WalkerProgress | WalkerResult;

/** The options of {@link walk}, checked when the operator is made. */
export const WalkOptionsSchema = z.strictObject({
  /** The strategies to rank, in the order ties are broken (earlier wins). */
  strategies: z
    .array(z.string().min(1, 'a strategy name must be non-empty'))
    .min(1, 'give at least one strategy')
    .refine((names) => new Set(names).size === names.length, 'strategy names must be unique'),
  metric: WalkerMetricSchema.default(DEFAULT_WALKER_METRIC),
  /** Each strategy's account statistics (SEMANTICS §12), read when the events complete: what portfolio metrics rank. */
  portfolio: z.custom<(strategy: string) => PortfolioStatistics | undefined>((f) => typeof f === 'function', 'must be a function').optional(),
});
export type WalkOptions = z.input<typeof WalkOptionsSchema>;

/**
 * Ranks the strategies of one stream of events (SEMANTICS §9): statistics per strategy (constant memory each), then,
 * when the events complete, a `progress` event per strategy (in the order given) and the `result`. Events of a
 * strategy not in `strategies` are ranked too, after the named ones.
 *
 * @example
 * ```ts
 * backtest({ source, strategies: [a, b] })
 *   .pipe(walk({ strategies: ['a', 'b'], metric: 'profitFactor' }))
 *   .subscribe((e) => e.type === 'result' && console.log(e.bestStrategy));
 * ```
 */
export function walk(options: WalkOptions): OperatorFunction<SignalEvent, WalkerEvent> {
  const { strategies, metric, portfolio } = parseOptions(WalkOptionsSchema, options, 'walk options');
  return (source) =>
    new Observable<WalkerEvent>((subscriber) => {
      const accs = new Map<string, StatisticsAccumulator>(strategies.map((name) => [name, new StatisticsAccumulator()]));
      return forward(subscriber, source, {
        next: (event) => {
          if (event.action === 'progress' || event.action === 'done') return;
          let acc = accs.get(event.strategy);
          if (acc === undefined) {
            acc = new StatisticsAccumulator();
            accs.set(event.strategy, acc);
          }
          acc.add(event);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          const entries = [...accs].map(([strategy, acc]) => {
            const account = portfolio?.(strategy);
            return { strategy, statistics: account === undefined ? acc.result() : { ...acc.result(), portfolio: account } };
          });
          let bestStrategy: string | null = null;
          let bestValue: number | null = null;
          entries.forEach(({ strategy, statistics }, i) => {
            const value = metricValue(statistics, metric);
            if (isBetter(value, bestValue, metric)) {
              bestStrategy = strategy;
              bestValue = value;
            }
            subscriber.next({
              type: 'progress',
              metric,
              strategy,
              finished: i + 1,
              total: entries.length,
              value,
              statistics,
              bestStrategy,
              bestValue,
            });
          });
          subscriber.next({ type: 'result', ...rankStrategies(entries, metric) });
          subscriber.complete();
        },
      });
    });
}
