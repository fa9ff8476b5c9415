import type { Point } from './downsample.js';
import { StreamDownsampler } from './stream-downsample.js';

/** One fall of the equity below its running peak and the climb back. */
export interface DrawdownPeriod {
  /** When the peak it fell from was reached (the run's start for a fall from the balance). */
  readonly start: number;
  readonly trough: number;
  /** When the equity first stood at or above the peak again; null if it had not by the end. */
  readonly recovery: number | null;
  /** (peak − trough equity) / peak · 100, as a positive number. */
  readonly depth: number;
  /** From start to recovery (or to the end of the run while unrecovered), in ms. */
  readonly lengthMs: number;
  readonly peakEquity: number;
  readonly troughEquity: number;
}

/** A UTC calendar month's return: its last equity against the previous month's last (the first against the balance). */
export interface MonthlyReturn {
  readonly year: number;
  /** 1 … 12. */
  readonly month: number;
  readonly returnPercent: number;
}

export interface EquityDigestResult {
  /** Equity in money, downsampled to at most the configured points. */
  readonly equity: Point[];
  /** (equity − running peak) / running peak · 100 (≤ 0), downsampled the same way. */
  readonly drawdown: Point[];
  /** The deepest periods, deepest first (ties: the earlier). */
  readonly drawdowns: DrawdownPeriod[];
  readonly monthly: MonthlyReturn[];
  /** Equity points added (the starting balance not counted). */
  readonly points: number;
}

interface Episode {
  start: number;
  peak: number;
  trough: number;
  troughEquity: number;
  depth: number;
}

/**
 * What the reports draw from an equity curve, computed as the curve streams past, in constant memory: the downsampled
 * equity and drawdown lines, the `keep` deepest drawdown periods and the monthly returns (one number per month).
 * Feed it every point of the curve in time order, starting from the balance at the run's start.
 *
 * @example
 * ```ts
 * const digest = new EquityDigest(10_000, spanStart);
 * accountOver(items, options, (o) => o.kind === 'equity' && digest.add(o.time, o.equity));
 * const { equity, drawdowns, monthly } = digest.result();
 * ```
 */
export class EquityDigest {
  private readonly equity: StreamDownsampler;
  private readonly drawdown: StreamDownsampler;
  private readonly deepest: DrawdownPeriod[] = [];
  private peak: number;
  private peakAt: number;
  private episode: Episode | null = null;
  private lastTime: number;
  private lastEquity: number;
  private month = Number.NaN;
  private monthEquity: number;
  private previousMonthEquity: number;
  private readonly months: MonthlyReturn[] = [];

  constructor(
    private readonly balance: number,
    start: number,
    maxPoints = 1200,
    private readonly keep = 5,
  ) {
    this.equity = new StreamDownsampler(maxPoints);
    this.drawdown = new StreamDownsampler(maxPoints);
    this.peak = balance;
    this.peakAt = start;
    this.lastTime = start;
    this.lastEquity = balance;
    this.monthEquity = balance;
    this.previousMonthEquity = balance;
    this.equity.add(start, balance);
    this.drawdown.add(start, 0);
  }

  add(time: number, equity: number): void {
    this.equity.add(time, equity);
    this.lastTime = time;
    this.lastEquity = equity;
    const month = monthIndex(time);
    if (month !== this.month) {
      if (this.month === this.month) this.closeMonth();
      this.month = month;
    }
    this.monthEquity = equity;
    if (equity >= this.peak) {
      if (this.episode !== null) this.record(this.episode, time);
      this.episode = null;
      this.peak = equity;
      this.peakAt = time;
      this.drawdown.add(time, 0);
      return;
    }
    const depth = ((this.peak - equity) / this.peak) * 100;
    this.drawdown.add(time, -depth);
    if (this.episode === null) this.episode = { start: this.peakAt, peak: this.peak, trough: time, troughEquity: equity, depth };
    else if (depth > this.episode.depth) {
      this.episode.trough = time;
      this.episode.troughEquity = equity;
      this.episode.depth = depth;
    }
  }

  result(end = this.lastTime): EquityDigestResult {
    const deepest = [...this.deepest];
    if (this.episode !== null) insertDeepest(deepest, this.period(this.episode, null, end), this.keep);
    const months = [...this.months];
    if (this.month === this.month) months.push(this.monthReturn());
    return { equity: this.equity.points(), drawdown: this.drawdown.points(), drawdowns: deepest, monthly: months, points: this.equity.seen - 1 };
  }

  /** The equity of the latest point (the balance before any). */
  get last(): number {
    return this.lastEquity;
  }

  private record(e: Episode, recovery: number): void {
    insertDeepest(this.deepest, this.period(e, recovery, recovery), this.keep);
  }

  private period(e: Episode, recovery: number | null, end: number): DrawdownPeriod {
    return { start: e.start, trough: e.trough, recovery, depth: e.depth, lengthMs: end - e.start, peakEquity: e.peak, troughEquity: e.troughEquity };
  }

  private closeMonth(): void {
    this.months.push(this.monthReturn());
    this.previousMonthEquity = this.monthEquity;
  }

  private monthReturn(): MonthlyReturn {
    const year = Math.floor(this.month / 12);
    return { year, month: this.month - year * 12 + 1, returnPercent: (this.monthEquity / this.previousMonthEquity - 1) * 100 };
  }
}

function monthIndex(time: number): number {
  const d = new Date(time);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** Keeps `list` the `keep` deepest periods, deepest first; an equal depth stays behind the earlier one. */
function insertDeepest(list: DrawdownPeriod[], p: DrawdownPeriod, keep: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.depth < p.depth) i--;
  if (i >= keep) return;
  list.splice(i, 0, p);
  if (list.length > keep) list.length = keep;
}
