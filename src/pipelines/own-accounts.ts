import type { Config } from '../core/config.js';
import { EquityTracker } from '../core/equity.js';
import type { PortfolioStatistics } from '../core/portfolio-stats.js';

/**
 * One account per strategy (SEMANTICS §12: the config's `balance` and `stake`) for runs that compare strategies or
 * candidates side by side: each is judged as if it ran alone, never coupled by the others' stakes. `onStats` receives
 * each strategy's portfolio statistics as the run completes.
 */
export function ownAccounts(
  config: Config,
  onStats: (strategy: string, stats: PortfolioStatistics) => void = () => undefined,
): (strategy: string) => EquityTracker {
  return (strategy) =>
    new EquityTracker({ money: config, config, curve: false }, (o) => {
      if (o.kind === 'stats') onStats(strategy, o.stats);
    });
}
