import { z } from 'zod';
import { safe } from './stats.js';

/*
 * Portfolio statistics over the equity curve (SEMANTICS §12), accumulated one equity point at a time: a running peak
 * for the drawdown and Welford sums over daily returns, so memory is constant whatever the length of the curve.
 */

export const DAY_MS = 86_400_000;

/** Percentages are plain numbers (1.5 = 1.5 %); a value that is undefined (NaN, ±Infinity, no data) is null. */
export interface PortfolioStatistics {
  readonly balance: number;
  readonly finalEquity: number;
  readonly totalReturn: number;
  /** Largest (running peak − equity) / running peak · 100, the peak starting at the balance. */
  readonly maxDrawdown: number;
  /** Over the data's span, in days of 86 400 000 ms. */
  readonly cagr: number | null;
  /** Mean / sample standard deviation of daily returns · √365. */
  readonly sharpe: number | null;
  /** Mean / √(mean of min(r, 0)²) of daily returns · √365. */
  readonly sortino: number | null;
  readonly calmar: number | null;
  /** Share of the span with at least one open position, in %. */
  readonly exposure: number | null;
  readonly feesPaid: number;
  /** Daily returns the ratios were computed from. */
  readonly days: number;
}

/** What the account knows beside the curve: the data's span, the time with a position open and the fees. */
export interface PortfolioTotals {
  /** First candle open and last candle close; null without candles. */
  readonly spanStart: number | null;
  readonly spanEnd: number | null;
  readonly exposureMs: number;
  readonly feesPaid: number;
}

const finite = z.number().finite();

/** The accumulator's running sums, for a checkpoint (JSON-safe: no NaN, no Infinity). */
export const PortfolioStatsSnapshotSchema = z.strictObject({
  balance: finite.positive(),
  last: finite,
  peak: finite,
  drawdown: finite.nonnegative(),
  /** The UTC day (epoch days) of the latest point; null before the first. */
  day: z.number().int().nullable(),
  dayEquity: finite,
  previousDayEquity: finite,
  n: z.number().int().nonnegative(),
  mean: finite,
  m2: finite.nonnegative(),
  downsideSquares: finite.nonnegative(),
});
export type PortfolioStatsSnapshot = z.infer<typeof PortfolioStatsSnapshotSchema>;

export class PortfolioStatsAccumulator {
  private last: number;
  private peak: number;
  private drawdown = 0;
  private day = Number.NaN;
  /** The current day's bounds in ms (NaN before the first point): a point inside them needs no division. */
  private dayStart = Number.NaN;
  private dayEnd = Number.NaN;
  private dayEquity: number;
  private previousDayEquity: number;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private downsideSquares = 0;

  constructor(private readonly balance: number) {
    this.last = balance;
    this.peak = balance;
    this.dayEquity = balance;
    this.previousDayEquity = balance;
  }

  /** The running sums; {@link PortfolioStatsAccumulator.restore} continues from them exactly. */
  snapshot(): PortfolioStatsSnapshot {
    return {
      balance: this.balance,
      last: this.last,
      peak: this.peak,
      drawdown: this.drawdown,
      day: this.day === this.day ? this.day : null,
      dayEquity: this.dayEquity,
      previousDayEquity: this.previousDayEquity,
      n: this.n,
      mean: this.mean,
      m2: this.m2,
      downsideSquares: this.downsideSquares,
    };
  }

  static restore(snapshot: PortfolioStatsSnapshot): PortfolioStatsAccumulator {
    const s = PortfolioStatsSnapshotSchema.parse(snapshot);
    const acc = new PortfolioStatsAccumulator(s.balance);
    acc.last = s.last;
    acc.peak = s.peak;
    acc.drawdown = s.drawdown;
    acc.day = s.day ?? Number.NaN;
    acc.dayStart = acc.day * DAY_MS;
    acc.dayEnd = acc.dayStart + DAY_MS;
    acc.dayEquity = s.dayEquity;
    acc.previousDayEquity = s.previousDayEquity;
    acc.n = s.n;
    acc.mean = s.mean;
    acc.m2 = s.m2;
    acc.downsideSquares = s.downsideSquares;
    return acc;
  }

  /** One equity point; points come in time order. */
  add(time: number, equity: number): void {
    // Flat equity within the day (no position open, nothing changed) leaves every sum as it is: the common case.
    const inDay = time >= this.dayStart && time < this.dayEnd;
    if (inDay && equity === this.last) return;
    if (!inDay) {
      const day = Math.floor(time / DAY_MS);
      if (this.day === this.day) this.closeDay(this.dayEquity);
      this.day = day;
      this.dayStart = day * DAY_MS;
      this.dayEnd = this.dayStart + DAY_MS;
    }
    this.dayEquity = equity;
    this.last = equity;
    if (equity > this.peak) this.peak = equity;
    const drawdown = ((this.peak - equity) / this.peak) * 100;
    if (drawdown > this.drawdown) this.drawdown = drawdown;
  }

  private closeDay(equity: number): void {
    const r = equity / this.previousDayEquity - 1;
    this.previousDayEquity = equity;
    this.n += 1;
    const delta = r - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (r - this.mean);
    if (r < 0) this.downsideSquares += r * r;
  }

  /** The statistics so far; the current day counts with its latest point. Does not change the accumulator. */
  result(totals: PortfolioTotals): PortfolioStatistics {
    let { n, mean, m2, downsideSquares } = this;
    if (this.day === this.day) {
      // The open day, folded into copies so more points can still follow.
      const r = this.dayEquity / this.previousDayEquity - 1;
      n += 1;
      const delta = r - mean;
      mean += delta / n;
      m2 += delta * (r - mean);
      if (r < 0) downsideSquares += r * r;
    }
    const final = this.last;
    const { spanStart, spanEnd } = totals;
    const spanMs = spanStart === null || spanEnd === null ? 0 : spanEnd - spanStart;
    const days = spanMs / DAY_MS;
    const cagr = days > 0 ? safe((Math.pow(final / this.balance, 365 / days) - 1) * 100) : null;
    const std = n >= 2 ? Math.sqrt(m2 / (n - 1)) : 0;
    const sharpe = n >= 2 && std > 0 ? safe((mean / std) * Math.sqrt(365)) : null;
    const downside = Math.sqrt(downsideSquares / n);
    const sortino = n >= 2 && downside > 0 ? safe((mean / downside) * Math.sqrt(365)) : null;
    const calmar = cagr !== null && this.drawdown > 0 ? safe(cagr / this.drawdown) : null;
    return {
      balance: this.balance,
      finalEquity: final,
      totalReturn: (final / this.balance - 1) * 100,
      maxDrawdown: this.drawdown,
      cagr,
      sharpe,
      sortino,
      calmar,
      exposure: spanMs > 0 ? (totals.exposureMs / spanMs) * 100 : null,
      feesPaid: totals.feesPaid,
      days: n,
    };
  }
}
