import { identity, isObservable, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { z } from 'zod';
import type { SymbolCandle } from '../core/candle.js';
import type { Config, ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import type { HeatStatistics } from '../core/heat.js';
import { StrategySchema, type Strategy } from '../core/strategy.js';
import { heatStatistics } from '../operators/heat-statistics.js';
import { parseOptions } from '../core/options.js';
import { backtest, type BacktestOptions } from './backtest.js';

export interface HeatOptions {
  /** Closed candles of the portfolio's symbols, merged in time order. */
  readonly source: Observable<SymbolCandle>;
  readonly strategies: Strategy | readonly Strategy[];
  readonly config?: ConfigInput | Config;
  /** Count only this strategy's signals (default: every strategy's). */
  readonly strategy?: string;
  /** Applied to the signal events before they are counted: a JSONL sink, a `tap`… */
  readonly events?: MonoTypeOperatorFunction<SignalEvent>;
  /** Extra lane stages (a risk gate), as for {@link backtest}. */
  readonly lanes?: BacktestOptions['lanes'];
}

const HeatOptionsSchema = z.strictObject({
  source: z.custom<Observable<SymbolCandle>>(isObservable, 'must be an Observable of candles (e.g. candleFiles([...]))'),
  strategies: z.union([StrategySchema, z.array(StrategySchema).min(1, 'give at least one strategy')]),
  config: z.unknown().optional(),
  strategy: z.string().min(1).optional(),
  events: z.custom<MonoTypeOperatorFunction<SignalEvent>>((f) => typeof f === 'function', 'must be an operator function').optional(),
  lanes: z.unknown().optional(),
});

/**
 * Portfolio heat: backtests the strategies over every symbol of the source and emits, once, the statistics per symbol
 * sorted by Sharpe ratio descending (nulls last) with the portfolio totals (SEMANTICS §9).
 *
 * @example
 * ```ts
 * heat({ source: candleFiles([{ path: 'ADA.json', symbol: 'ADA/BTC' }, { path: 'ETH.json', symbol: 'ETH/BTC' }]), strategies: [smaCross] })
 *   .subscribe((h) => console.log(heatMarkdownReport(h)));
 * ```
 */
export function heat(options: HeatOptions): Observable<HeatStatistics> {
  parseOptions(HeatOptionsSchema, options, 'heat options');
  return backtest({ source: options.source, strategies: options.strategies, config: options.config, lanes: options.lanes }).pipe(
    options.events ?? identity,
    heatStatistics({ strategy: options.strategy }),
  );
}
