import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { SymbolCandle } from '../../core/candle.js';
import { resolveConfig, type Config } from '../../core/config.js';
import { EquityTracker, type AccountOutput } from '../../core/equity.js';
import type { ClosedEvent, SignalEvent } from '../../core/events.js';
import { INTERVAL_MS } from '../../core/intervals.js';
import { resolveMoneyConfig, type MoneyConfig, type MoneyConfigInput } from '../../core/money-config.js';
import type { PortfolioStatistics } from '../../core/portfolio-stats.js';
import type { Point } from './downsample.js';
import { EquityDigest, type DrawdownPeriod, type MonthlyReturn } from './equity-digest.js';
import { resolveRunInputs, type RunInputs, type RunInputsInput } from './run-inputs.js';
import { StreamDownsampler } from './stream-downsample.js';
import { tradeTables, type TradeTables } from './trade-groups.js';

/** What the account view of a run needs beside the summary: the candles again, and the run's events. */
export interface TearsheetInput {
  /**
   * The run's candles in time order, read again after the run (a `CandleSource` reads its files afresh on every
   * subscription). They stream through the account; nothing per candle is kept beyond the charts' fixed points.
   */
  readonly candles: Observable<SymbolCandle> | Iterable<SymbolCandle> | AsyncIterable<SymbolCandle>;
  /**
   * The run's events in order; `opened`, `partial_closed` and `closed` move the account, `stop_moved` is marked on the
   * price charts, the others are ignored.
   */
  readonly events: Iterable<SignalEvent>;
  /** `balance` and `stake` as the run used them (SEMANTICS §12 defaults when absent). */
  readonly money?: MoneyConfigInput;
  /** Fees and slippage as the run used them (defaults when absent). */
  readonly config?: Partial<Pick<Config, 'feePercent' | 'slippagePercent'>>;
  readonly inputs?: RunInputsInput;
  /** Price charts for at most this many symbols (those with the most trades first). Default 6. */
  readonly maxSymbols?: number;
  /** Points per chart line at most. Default 1200. */
  readonly maxPoints?: number;
}

/**
 * An entry (▲ long, ▼ short), an exit, a partial exit or a moved stop (SEMANTICS §13) on a price chart; a moved stop
 * is marked at its new price.
 */
export interface TradeMark {
  readonly time: number;
  readonly price: number;
  readonly kind: 'entry' | 'exit' | 'partial' | 'stop';
  readonly position: 'long' | 'short';
  /** The trade's pnl % for exits, the part's for partial exits (colours the mark). */
  readonly pnl: number | null;
}

/** At one instant: exits first, then partial exits, moved stops, and entries last (a lane re-entering). */
const MARK_ORDER = { exit: 0, partial: 1, stop: 2, entry: 3 } as const;

export interface SymbolPrices {
  readonly symbol: string;
  readonly interval: string;
  /** Close prices against candle close time, downsampled. */
  readonly closes: Point[];
  readonly marks: TradeMark[];
  /** Trades on the symbol; marks are thinned evenly beyond {@link MAX_MARKS} of them. */
  readonly trades: number;
}

/** One symbol's data as the run read it. */
export interface DataSpan {
  readonly symbol: string;
  readonly interval: string;
  /** First candle's open and last candle's close (ms). */
  readonly from: number;
  readonly to: number;
  readonly candles: number;
  readonly file: string | null;
}

/** The account's view of a run: what the tearsheet's cards, charts and tables show. */
export interface Tearsheet {
  readonly portfolio: PortfolioStatistics;
  readonly money: MoneyConfig;
  /** The data's span: first candle open to last candle close over every symbol; null without candles. */
  readonly period: { readonly from: number; readonly to: number } | null;
  readonly equity: Point[];
  readonly drawdown: Point[];
  readonly drawdowns: DrawdownPeriod[];
  readonly monthly: MonthlyReturn[];
  readonly tables: TradeTables;
  readonly prices: SymbolPrices[];
  /** Symbols without a price chart (beyond `maxSymbols`). */
  readonly undrawnSymbols: string[];
  readonly data: DataSpan[];
  readonly inputs: RunInputs;
  /** Stakes the account could not pay (`insufficient balance`). */
  readonly rejectedStakes: number;
  /** Equity points the curve had (one per instant), before downsampling. */
  readonly equityPoints: number;
  /** Stake and money profit of every closed trade the account held, by {@link tradeKey}. */
  readonly tradeMoney: ReadonlyMap<string, TradeMoney>;
}

export interface TradeMoney {
  readonly stake: number;
  readonly profit: number;
}

/** The key of a trade in {@link Tearsheet.tradeMoney}. */
export function tradeKey(strategy: string, symbol: string, signalId: string): string {
  return `${strategy}\u0000${symbol}\u0000${signalId}`;
}

/** Entry and exit marks drawn per chart at most (trades beyond are thinned evenly, the first and last kept). */
export const MAX_MARKS = 400;

interface SymbolState {
  interval: string;
  from: number;
  to: number;
  candles: number;
  closes: StreamDownsampler;
}

/**
 * Runs the account over the run's candles and events and digests the result for the reports: the portfolio
 * statistics, the equity and drawdown lines (fixed number of points), the deepest drawdowns, monthly returns, trade
 * tables, price charts with entries and exits, and the data's spans. Memory: the events given, plus a fixed number of
 * points per chart.
 *
 * @example
 * ```ts
 * const sheet = await buildTearsheet({ candles: source, events, money: { balance: 1000, stake: 100 } });
 * sheet.portfolio.finalEquity;
 * ```
 */
export async function buildTearsheet(input: TearsheetInput): Promise<Tearsheet> {
  const money = resolveMoneyConfig(input.money ?? {}, 'report money');
  const costs = resolveConfig(input.config ?? {}, 'report config');
  const inputs = resolveRunInputs(input.inputs);
  const maxPoints = input.maxPoints ?? 1200;
  const maxSymbols = input.maxSymbols ?? 6;
  if (!(Number.isInteger(maxSymbols) && maxSymbols >= 0)) throw new RangeError(`report: maxSymbols must be an integer ≥ 0, got ${maxSymbols}`);

  const events = [...input.events].filter((e) => e.action === 'opened' || e.action === 'closed' || e.action === 'partial_closed' || e.action === 'stop_moved');
  const tradeMoney = new Map<string, TradeMoney>();
  let rejected = 0;
  let digest: EquityDigest | null = null;
  const onOutput = (o: AccountOutput): void => {
    if (o.kind === 'equity') digest?.add(o.time, o.equity);
    else if (o.kind === 'closed') tradeMoney.set(tradeKey(o.strategy, o.symbol, o.signalId), { stake: o.stake, profit: o.profit });
    else if (o.kind === 'rejected') rejected += 1;
  };
  const tracker = new EquityTracker({ money, config: costs }, onOutput);
  const symbols = new Map<string, SymbolState>();
  let next = 0;

  const step = (c: SymbolCandle): void => {
    const interval = INTERVAL_MS[c.interval];
    const closeAt = c.candle.timestamp + interval;
    // The curve starts at the balance when the data starts.
    if (digest === null) digest = new EquityDigest(money.balance, c.candle.timestamp, maxPoints);
    while (next < events.length && events[next]!.now < closeAt) tracker.step(events[next++]!);
    tracker.step(c);
    let s = symbols.get(c.symbol);
    if (s === undefined) {
      s = { interval: c.interval, from: c.candle.timestamp, to: closeAt, candles: 0, closes: new StreamDownsampler(Math.min(maxPoints, 800), interval) };
      symbols.set(c.symbol, s);
    }
    s.candles += 1;
    if (closeAt > s.to) s.to = closeAt;
    s.closes.add(closeAt, c.candle.close);
  };
  await forEachCandle(input.candles, step);
  while (next < events.length) tracker.step(events[next++]!);
  const portfolio = tracker.finish();

  const closed = events.filter((e): e is ClosedEvent => e.action === 'closed');
  const tables = tradeTables(closed, (e) => tradeMoney.get(tradeKey(e.strategy, e.symbol, e.signal.id))?.profit);
  const digested = (digest as EquityDigest | null)?.result() ?? { equity: [], drawdown: [], drawdowns: [], monthly: [], points: 0 };

  const data: DataSpan[] = [...symbols]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([symbol, s]) => ({
    symbol,
    interval: s.interval,
    from: s.from,
    to: s.to,
    candles: s.candles,
    file: inputs.files.find((f) => f.symbol === symbol)?.path ?? null,
  }));
  const period = data.length === 0 ? null : { from: Math.min(...data.map((d) => d.from)), to: Math.max(...data.map((d) => d.to)) };
  const tradesOf = new Map<string, number>();
  for (const e of closed) tradesOf.set(e.symbol, (tradesOf.get(e.symbol) ?? 0) + 1);
  // Most traded first; ties keep the data's order.
  const ranked = [...symbols.keys()].map((symbol, i) => ({ symbol, i, trades: tradesOf.get(symbol) ?? 0 })).sort((a, b) => b.trades - a.trades || a.i - b.i);
  const drawn = ranked.slice(0, maxSymbols);
  const prices = drawn.map(({ symbol, trades }) => {
    const s = symbols.get(symbol)!;
    return { symbol, interval: s.interval, closes: s.closes.points(), marks: marksOf(events, symbol), trades };
  });
  return {
    portfolio,
    money,
    period,
    equity: digested.equity,
    drawdown: digested.drawdown,
    drawdowns: digested.drawdowns,
    monthly: digested.monthly,
    tables,
    prices,
    undrawnSymbols: ranked.slice(maxSymbols).map((r) => r.symbol),
    data,
    inputs,
    rejectedStakes: rejected,
    tradeMoney: tradeMoney,
    equityPoints: digested.points,
  };
}

/** The entries and exits of a symbol's trades, thinned evenly to {@link MAX_MARKS} trades. */
function marksOf(events: readonly SignalEvent[], symbol: string): TradeMark[] {
  const closed = events.filter((e): e is ClosedEvent => e.action === 'closed' && e.symbol === symbol);
  const opened = events.filter((e) => e.action === 'opened' && e.symbol === symbol);
  const closedIds = new Set(closed.map((e) => `${e.strategy}\u0000${e.signal.id}`));
  const marks: TradeMark[] = [];
  const keepEvery = Math.max(1, Math.ceil(closed.length / MAX_MARKS));
  // Partial exits and moved stops of a trade are drawn with it (and thinned with it).
  const managed = new Map<string, SignalEvent[]>();
  for (const e of events) {
    if ((e.action !== 'partial_closed' && e.action !== 'stop_moved') || e.symbol !== symbol) continue;
    const key = `${e.strategy}\u0000${e.signal.id}`;
    const list = managed.get(key);
    if (list === undefined) managed.set(key, [e]);
    else list.push(e);
  }
  closed.forEach((e, i) => {
    if (i % keepEvery !== 0 && i !== closed.length - 1) return;
    const position = e.signal.position;
    marks.push({ time: e.signal.pendingAt ?? e.signal.scheduledAt, price: e.pnl.priceOpen, kind: 'entry', position, pnl: null });
    marks.push({ time: e.closeTimestamp, price: e.pnl.priceClose, kind: 'exit', position, pnl: e.pnl.pnlPercentage });
    for (const m of managed.get(`${e.strategy}\u0000${e.signal.id}`) ?? []) {
      if (m.action === 'partial_closed') marks.push({ time: m.now, price: m.price, kind: 'partial', position, pnl: m.pnlPercentage });
      else if (m.action === 'stop_moved') marks.push({ time: m.now, price: m.newPrice, kind: 'stop', position, pnl: null });
    }
  });
  // Positions still open at the end: their entry only.
  for (const e of opened) {
    if (e.action !== 'opened' || closedIds.has(`${e.strategy}\u0000${e.signal.id}`)) continue;
    marks.push({ time: e.now, price: e.signal.priceOpen, kind: 'entry', position: e.signal.position, pnl: null });
  }
  return marks.sort((a, b) => a.time - b.time || MARK_ORDER[a.kind] - MARK_ORDER[b.kind]);
}

async function forEachCandle(candles: TearsheetInput['candles'], step: (c: SymbolCandle) => void): Promise<void> {
  if (isObservable(candles)) {
    await new Promise<void>((resolve, reject) => {
      // A throw in `next` would otherwise be reported asynchronously by rxjs, not here.
      let failed = false;
      let subscription: Subscription | undefined;
      subscription = candles.subscribe({
        next: (c) => {
          if (failed) return;
          try {
            step(c);
          } catch (err) {
            failed = true;
            reject(err);
            subscription?.unsubscribe();
          }
        },
        error: reject,
        complete: resolve,
      });
      if (failed) subscription.unsubscribe();
    });
    return;
  }
  if (Symbol.asyncIterator in candles) {
    for await (const c of candles as AsyncIterable<SymbolCandle>) step(c);
    return;
  }
  for (const c of candles as Iterable<SymbolCandle>) step(c);
}
