import type { AccountReport } from '../core/account-report.js';

const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`);
const ratio = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

/** The account's lines of the text summary (SEMANTICS §12), printed before the per-trade statistics. */
export function accountLines(account: AccountReport): [string, string][] {
  const s = account.statistics;
  const stake = typeof account.stake === 'number' ? money(account.stake) : 'equityPercent' in account.stake ? `${account.stake.equityPercent}% of equity` : account.stake.method;
  return [
    ['Balance', money(account.balance)],
    ['Stake', stake],
    ['Final equity', `${money(s.finalEquity)} (${percent(s.totalReturn)})`],
    ['Max drawdown (equity)', s.maxDrawdown === 0 ? '0.00%' : `-${s.maxDrawdown.toFixed(2)}%`],
    ['CAGR', percent(s.cagr)],
    ['Sharpe (daily)', ratio(s.sharpe)],
    ['Sortino (daily)', ratio(s.sortino)],
    ['Calmar', ratio(s.calmar)],
    ['Exposure', s.exposure === null ? 'n/a' : `${s.exposure.toFixed(2)}%`],
    ['Fees paid', money(s.feesPaid)],
    ['Insufficient balance', `${account.rejected} rejected`],
  ];
}
