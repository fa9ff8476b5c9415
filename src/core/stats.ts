import type { SignalEvent } from './events.js';

function signalKey(e: { strategy: string; symbol: string; signal: { id: string } }): string {
  return `${e.strategy}|${e.symbol}|${e.signal.id}`;
}

/** A statistic that would be NaN or ±Infinity does not exist: null (SEMANTICS §9). */
export function safe(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Backtest statistics over closed signals (SEMANTICS §9). Percentages are plain numbers (1.5 = 1.5 %). */
export interface BacktestStatistics {
  readonly totalSignals: number;
  readonly winCount: number;
  readonly lossCount: number;
  readonly winRate: number | null;
  readonly avgPnl: number | null;
  readonly totalPnl: number;
  readonly stdDev: number | null;
  readonly sharpeRatio: number | null;
  readonly annualizedSharpeRatio: number | null;
  readonly certaintyRatio: number | null;
  readonly expectedYearlyReturns: number | null;
  readonly maxDrawdown: number | null;
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly avgWin: number | null;
  readonly avgLoss: number | null;
  readonly maxWinStreak: number;
  readonly maxLossStreak: number;
  readonly avgDurationMinutes: number | null;
  /** Signals still open at the end of the data (never faked as closed). */
  readonly openSignals: number;
  /** Scheduled signals still waiting at the end of the data. */
  readonly pendingSignals: number;
}

/**
 * Streaming accumulator: constant memory whatever the number of trades (Welford for the variance, running peak for
 * the drawdown), so statistics can run beside a live node forever.
 */
export class StatisticsAccumulator {
  private n = 0;
  private wins = 0;
  private losses = 0;
  private sumWin = 0;
  private sumLoss = 0;
  private mean = 0;
  private m2 = 0;
  private total = 0;
  private cumulative = 0;
  private peak = 0;
  private drawdown = 0;
  private winStreak = 0;
  private lossStreak = 0;
  private maxWinStreak = 0;
  private maxLossStreak = 0;
  private durationMinutes = 0;
  private readonly open = new Set<string>();
  private readonly scheduled = new Set<string>();

  /** Add one closed trade. */
  addTrade(pnl: number, durationMinutes: number): void {
    this.n++;
    const delta = pnl - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (pnl - this.mean);
    this.total += pnl;
    this.durationMinutes += durationMinutes;
    this.cumulative += pnl;
    if (this.cumulative > this.peak) this.peak = this.cumulative;
    if (this.peak - this.cumulative > this.drawdown) this.drawdown = this.peak - this.cumulative;
    if (pnl > 0) {
      this.wins++;
      this.sumWin += pnl;
      this.winStreak++;
      this.lossStreak = 0;
      if (this.winStreak > this.maxWinStreak) this.maxWinStreak = this.winStreak;
    } else if (pnl < 0) {
      this.losses++;
      this.sumLoss += pnl;
      this.lossStreak++;
      this.winStreak = 0;
      if (this.lossStreak > this.maxLossStreak) this.maxLossStreak = this.lossStreak;
    } else {
      this.winStreak = 0;
      this.lossStreak = 0;
    }
  }

  /** Add any event: closed signals count as trades; opened/scheduled ones are tracked as still open. */
  add(event: SignalEvent): void {
    switch (event.action) {
      case 'scheduled':
        this.scheduled.add(signalKey(event));
        break;
      case 'opened':
        this.scheduled.delete(signalKey(event));
        this.open.add(signalKey(event));
        break;
      case 'cancelled':
        this.scheduled.delete(signalKey(event));
        break;
      case 'closed':
        this.open.delete(signalKey(event));
        this.addTrade(event.pnl.pnlPercentage, event.durationMinutes);
        break;
      default:
        break;
    }
  }

  result(): BacktestStatistics {
    const n = this.n;
    const openSignals = this.open.size;
    const pendingSignals = this.scheduled.size;
    if (n === 0) {
      return {
        totalSignals: 0,
        winCount: 0,
        lossCount: 0,
        winRate: null,
        avgPnl: null,
        totalPnl: 0,
        stdDev: null,
        sharpeRatio: null,
        annualizedSharpeRatio: null,
        certaintyRatio: null,
        expectedYearlyReturns: null,
        maxDrawdown: null,
        profitFactor: null,
        expectancy: null,
        avgWin: null,
        avgLoss: null,
        maxWinStreak: 0,
        maxLossStreak: 0,
        avgDurationMinutes: null,
        openSignals,
        pendingSignals,
      };
    }
    const avgPnl = this.total / n;
    const stdDev = Math.sqrt(this.m2 / n);
    const sharpe = stdDev === 0 ? 0 : avgPnl / stdDev;
    const avgWin = this.wins > 0 ? this.sumWin / this.wins : null;
    const avgLoss = this.losses > 0 ? this.sumLoss / this.losses : null;
    const winRate = (this.wins / n) * 100;
    const avgDurationMinutes = this.durationMinutes / n;
    const avgDurationDays = avgDurationMinutes / 1440;
    return {
      totalSignals: n,
      winCount: this.wins,
      lossCount: this.losses,
      winRate,
      avgPnl: safe(avgPnl),
      totalPnl: this.total,
      stdDev: safe(stdDev),
      sharpeRatio: safe(sharpe),
      annualizedSharpeRatio: safe(sharpe * Math.sqrt(365)),
      certaintyRatio: avgLoss === null ? 0 : safe((avgWin ?? 0) / Math.abs(avgLoss)),
      expectedYearlyReturns: avgDurationDays === 0 ? 0 : safe((avgPnl * 365) / avgDurationDays),
      maxDrawdown: this.drawdown,
      profitFactor: safe(this.sumWin / Math.abs(this.sumLoss)),
      expectancy: safe((winRate / 100) * (avgWin ?? 0) + (1 - winRate / 100) * (avgLoss ?? 0)),
      avgWin,
      avgLoss,
      maxWinStreak: this.maxWinStreak,
      maxLossStreak: this.maxLossStreak,
      avgDurationMinutes,
      openSignals,
      pendingSignals,
    };
  }
}

/** Statistics of a finished run's events. */
export function computeStatistics(events: Iterable<SignalEvent>): BacktestStatistics {
  const acc = new StatisticsAccumulator();
  for (const e of events) acc.add(e);
  return acc.result();
}
