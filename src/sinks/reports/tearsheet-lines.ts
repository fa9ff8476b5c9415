import type { PortfolioStatistics } from '../../core/portfolio-stats.js';
import { formatMetric, type MetricKind } from './report-format.js';

/** One account metric as every report shows it: the value, its kind and its text (from {@link formatMetric}). */
export interface MetricLine {
  readonly label: string;
  /** The number shown (drawdowns negative: a fall). */
  readonly value: number | null;
  readonly kind: MetricKind;
  readonly text: string;
  /** On the headline cards too. */
  readonly card: boolean;
  /** A gain or a loss: coloured by its sign (exposure, fees and balances are not). */
  readonly toned: boolean;
}

function line(label: string, value: number | null, kind: MetricKind, card = false, toned = false): MetricLine {
  return { label, value, kind, text: formatMetric(value, kind), card, toned };
}

/**
 * The account's metrics (SEMANTICS §12) in report order. Cards, the HTML table and the markdown table all render this
 * list, so a number reads the same everywhere. The drawdown is shown as a negative percentage (a fall) everywhere;
 * the JSON keeps the statistic's positive value.
 */
export function portfolioLines(p: PortfolioStatistics): MetricLine[] {
  return [
    line('Starting balance', p.balance, 'money'),
    line('Final equity', p.finalEquity, 'money', true),
    line('Total return', p.totalReturn, 'signedPercent', true, true),
    line('Max drawdown (equity)', p.maxDrawdown === 0 ? 0 : -p.maxDrawdown, 'percent', true, true),
    line('CAGR', p.cagr, 'signedPercent', true, true),
    line('Sharpe (daily, annualised)', p.sharpe, 'ratio', true, true),
    line('Sortino (daily, annualised)', p.sortino, 'ratio', false, true),
    line('Calmar', p.calmar, 'ratio', false, true),
    line('Exposure', p.exposure, 'percent', true),
    line('Fees paid', p.feesPaid, 'money'),
    line('Daily returns', p.days, 'count'),
  ];
}
