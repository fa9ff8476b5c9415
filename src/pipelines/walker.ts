import { defer, identity, isObservable, type MonoTypeOperatorFunction, type Observable, type SchedulerLike } from 'rxjs';
import { z } from 'zod';
import type { SymbolCandle } from '../core/candle.js';
import { resolveConfig, type Config, type ConfigInput } from '../core/config.js';
import type { PortfolioStatistics } from '../core/portfolio-stats.js';
import type { SignalEvent } from '../core/events.js';
import { StrategySchema, type Strategy } from '../core/strategy.js';
import { WalkerMetricSchema, type WalkerMetric } from '../core/walker-rank.js';
import { walk, type WalkerEvent } from '../operators/walk.js';
import { parseOptions } from '../core/options.js';
import { backtest, type BacktestOptions } from './backtest.js';
import { ownAccounts } from './own-accounts.js';

export interface WalkerOptions {
  /** Closed candles of one or more symbols, read once and shared by every strategy. */
  readonly source: Observable<SymbolCandle>;
  /** The strategies to compare (names unique); ties are won by the one given first. */
  readonly strategies: readonly Strategy[];
  /** What to rank by (default `sharpeRatio`; `maxDrawdown` is minimised). */
  readonly metric?: WalkerMetric;
  readonly config?: ConfigInput | Config;
  /** Applied to the signal events before they are ranked: a JSONL sink, a `tap`, `sizePositions`… */
  readonly events?: MonoTypeOperatorFunction<SignalEvent>;
  /** Emit backtest `progress` events (to `events`) every this many candles. */
  readonly progressEvery?: number;
  readonly scheduler?: SchedulerLike;
  /** Extra lane stages (a risk gate), as for {@link backtest}. */
  readonly lanes?: BacktestOptions['lanes'];
  /** Decide only inside this window (RESEARCH §2), as for {@link backtest}. */
  readonly timerange?: BacktestOptions['timerange'];
}

const WalkerOptionsSchema = z.strictObject({
  source: z.custom<Observable<SymbolCandle>>(isObservable, 'must be an Observable of candles (e.g. candleFiles([...]))'),
  strategies: z.array(StrategySchema).min(1, 'give at least one strategy'),
  metric: WalkerMetricSchema.optional(),
  config: z.unknown().optional(),
  events: z.custom<MonoTypeOperatorFunction<SignalEvent>>((f) => typeof f === 'function', 'must be an operator function').optional(),
  progressEvery: z.number().int().positive().optional(),
  scheduler: z.unknown().optional(),
  lanes: z.unknown().optional(),
  timerange: z.unknown().optional(),
});

/**
 * Compares strategies on the same candles (SEMANTICS §9): one shared pass of the source — candles read and validated
 * once, fanned out to every strategy's lanes by the fused lane operator — then a `progress` event per strategy
 * finished and a final `result` ranking them by the metric, with each strategy's statistics. Nothing runs until
 * subscribed.
 *
 * @example
 * ```ts
 * import { candleFile, walker } from 'tickflow';
 *
 * walker({ source: candleFile('ETH_BTC-1m.json', { symbol: 'ETH/BTC' }), strategies: [smaCross, breakout], metric: 'sharpeRatio' })
 *   .subscribe((e) => (e.type === 'result' ? console.log('best:', e.bestStrategy, e.bestValue) : console.log(e.strategy, e.value)));
 * ```
 */
export function walker(options: WalkerOptions): Observable<WalkerEvent> {
  parseOptions(WalkerOptionsSchema, options, 'walker options');
  const names = options.strategies.map((s) => s.name);
  // Each strategy on its own account (SEMANTICS §12): compared, never coupled by one another's stakes.
  const portfolios = new Map<string, PortfolioStatistics>();
  const ranked = walk({ strategies: names, metric: options.metric, portfolio: (strategy) => portfolios.get(strategy) });
  return defer(() => {
    const config = resolveConfig(options.config as ConfigInput);
    portfolios.clear();
    const account = ownAccounts(config, (strategy, stats) => portfolios.set(strategy, stats));
    return backtest({
      source: options.source,
      strategies: options.strategies,
      config,
      progressEvery: options.progressEvery,
      scheduler: options.scheduler,
      lanes: { ...(options.lanes as object), account },
      timerange: options.timerange,
    }).pipe(options.events ?? identity, ranked);
  });
}
