import type { Observable } from 'rxjs';
import type { SymbolCandle } from '../../core/candle.js';
import type { Config } from '../../core/config.js';
import type { SignalEvent } from '../../core/events.js';
import type { MoneyConfigInput } from '../../core/money-config.js';
import type { TearsheetInput } from './tearsheet.js';

/** What a command knows of its run, for {@link TradeLog.tearsheet}. */
export interface RunDescription {
  /** Candle files and the symbol each gives (same order), and their interval. */
  readonly candles?: readonly string[];
  readonly symbol?: readonly string[];
  readonly interval?: string;
  /** Strategy modules given; with exactly one, every strategy is attributed to it (none: built in). */
  readonly strategy?: readonly string[];
  /** The config file's path, if one was read. */
  readonly config?: string;
}

/**
 * Keeps the `opened`, `partial_closed` and `closed` events of a run, and the last `stop_moved` of each closed trade
 * (memory grows with trades, never with candles) so the reports can run the account over the candles afterwards and
 * mark the trades on the price charts.
 *
 * @example
 * ```ts
 * const log = new TradeLog();
 * events$.pipe(tap((e) => log.add(e)));
 * await writeBacktestReports(dir, summary, { tearsheet: log.tearsheet(source, config, flags, strategies) });
 * ```
 */
export class TradeLog {
  private readonly events: SignalEvent[] = [];
  /** The last stop move of each open signal (a trailing stop may move at every candle: one is kept). */
  private readonly lastStop = new Map<string, SignalEvent>();

  add(event: SignalEvent): void {
    const action = event.action;
    if (action === 'opened' || action === 'partial_closed') this.events.push(event);
    else if (action === 'stop_moved') this.lastStop.set(`${event.strategy}\u0000${event.symbol}\u0000${event.signal.id}`, event);
    else if (action === 'closed') {
      const key = `${event.strategy}\u0000${event.symbol}\u0000${event.signal.id}`;
      const stop = this.lastStop.get(key);
      if (stop !== undefined) {
        this.events.push(stop);
        this.lastStop.delete(key);
      }
      this.events.push(event);
    }
  }

  /**
   * The tearsheet input of the run: `candles` read again, the kept events, the money keys (`balance`, `stake`) and
   * costs of `config`, and the run's inputs.
   */
  tearsheet(
    candles: Observable<SymbolCandle>,
    config: Partial<Config> & { readonly balance?: number; readonly stake?: MoneyConfigInput['stake'] },
    run: RunDescription,
    strategies: ReadonlyArray<{ readonly name: string }>,
  ): TearsheetInput {
    const files = (run.candles ?? []).map((path, i) => ({ path, symbol: run.symbol?.[i] ?? path, interval: run.interval ?? '1m' }));
    const modules = run.strategy ?? [];
    const onlyFile = modules.length === 0 ? null : modules.length === 1 ? modules[0]! : `one of ${modules.join(', ')}`;
    const money: MoneyConfigInput = {};
    if (config.balance !== undefined) money.balance = config.balance;
    if (config.stake !== undefined) money.stake = config.stake;
    return {
      candles,
      events: this.events,
      money,
      config: { feePercent: config.feePercent, slippagePercent: config.slippagePercent },
      inputs: {
        files,
        strategies: strategies.map((s) => ({ name: s.name, file: onlyFile })),
        config: JSON.parse(JSON.stringify(config)) as Record<string, unknown>,
        configFile: run.config ?? null,
      },
    };
  }
}
