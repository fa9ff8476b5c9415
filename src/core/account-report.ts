import type { Config } from './config.js';
import { EquityTracker, type AccountInput, type AccountOutput } from './equity.js';
import type { MoneyConfig, Stake } from './money-config.js';
import type { PortfolioStatistics } from './portfolio-stats.js';

/** One point of the equity curve, with the drawdown from the running peak (the peak starting at the balance). */
export interface EquityPoint {
  /** The instant (ms): the last of its bucket. */
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
  readonly openPositions: number;
  /** (running peak − equity) / running peak · 100, the peak over every point the tracker emitted up to this one. */
  readonly drawdown: number;
}

/** What a run's account did (SEMANTICS §12), ready for a report: the statistics and a bounded equity curve. */
export interface AccountReport {
  readonly balance: number;
  readonly stake: Stake;
  readonly statistics: PortfolioStatistics;
  /** The curve in time order, at most `maxPoints` points: the last point of every `bucketMs` bucket. */
  readonly equity: readonly EquityPoint[];
  readonly bucketMs: number;
  /** Stakes refused for want of free cash (`risk` events with reason `insufficient balance`). */
  readonly rejected: number;
}

export interface AccountReportOptions {
  /** The most points the curve keeps (default 2000): when full, the buckets double and every other point goes. */
  readonly maxPoints?: number;
  /** The smallest bucket (default one hour). */
  readonly bucketMs?: number;
}

/**
 * Collects a run's {@link AccountOutput}s into an {@link AccountReport}: give {@link AccountCollector.see} to
 * `backtest({ onAccount })` (with `accountEveryMs: collector.bucketMs`), or to {@link accountReport}. Memory is bounded
 * by `maxPoints` whatever the length of the run.
 *
 * @example
 * ```ts
 * const collector = new AccountCollector(config);
 * await lastValueFrom(backtest({ source, strategies, config, onAccount: collector.see, accountEveryMs: collector.bucketMs }));
 * const { statistics, equity } = collector.result();
 * ```
 */
export class AccountCollector {
  private points: EquityPoint[] = [];
  private stats: PortfolioStatistics | null = null;
  private peak: number;
  private rejections = 0;
  private bucket: number;
  private readonly maxPoints: number;

  constructor(
    private readonly money: MoneyConfig,
    options: AccountReportOptions = {},
  ) {
    this.maxPoints = Math.max(2, options.maxPoints ?? 2000);
    this.bucket = options.bucketMs ?? 3_600_000;
    this.peak = money.balance;
  }

  /** The bucket the tracker should downsample to (its `everyMs`). */
  get bucketMs(): number {
    return this.bucket;
  }

  readonly see = (output: AccountOutput): void => {
    if (output.kind === 'stats') {
      this.stats = output.stats;
      return;
    }
    if (output.kind === 'rejected') {
      this.rejections++;
      return;
    }
    if (output.kind !== 'equity') return;
    if (output.equity > this.peak) this.peak = output.equity;
    const drawdown = ((this.peak - output.equity) / this.peak) * 100;
    const point = { time: output.time, equity: output.equity, cash: output.cash, openPositions: output.openPositions, drawdown };
    const last = this.points[this.points.length - 1];
    if (last !== undefined && Math.floor(last.time / this.bucket) === Math.floor(point.time / this.bucket)) this.points[this.points.length - 1] = point;
    else this.points.push(point);
    if (this.points.length > this.maxPoints) this.thin();
  };

  result(): AccountReport {
    if (this.stats === null) throw new Error('account report: the run has not finished (no statistics yet)');
    return {
      balance: this.money.balance,
      stake: this.money.stake,
      statistics: this.stats,
      equity: [...this.points],
      bucketMs: this.bucket,
      rejected: this.rejections,
    };
  }

  /** Doubles the bucket: the last point of each new bucket stays. */
  private thin(): void {
    this.bucket *= 2;
    const kept: EquityPoint[] = [];
    for (const p of this.points) {
      const last = kept[kept.length - 1];
      if (last !== undefined && Math.floor(last.time / this.bucket) === Math.floor(p.time / this.bucket)) kept[kept.length - 1] = p;
      else kept.push(p);
    }
    this.points = kept;
  }
}

/**
 * The account of a finished run, from its candles and events interleaved as the run produced them (see
 * `interleaveAsRun`): the statistics and a bounded equity curve — the run's own numbers: stakes are sized from the same
 * marks and a rejected signal never opened.
 *
 * @example
 * ```ts
 * const report = accountReport(interleaveAsRun(candles, events), { money: config, config });
 * console.log(report.statistics.totalReturn, report.equity.length);
 * ```
 */
export function accountReport(
  items: Iterable<AccountInput>,
  options: { readonly money: MoneyConfig; readonly config: Pick<Config, 'feePercent' | 'slippagePercent'> } & AccountReportOptions,
): AccountReport {
  const collector = new AccountCollector(options.money, options);
  const tracker = new EquityTracker({ money: options.money, config: options.config, everyMs: collector.bucketMs }, collector.see);
  for (const item of items) tracker.step(item);
  tracker.finish();
  return collector.result();
}
