import { concat, defer, finalize, Observable, Subject, takeUntil, tap, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import type { Config } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { intervalMs } from '../core/intervals.js';
import { averagePrice } from '../operators/average-price.js';
import { checkpointCut } from '../operators/checkpoint-cut.js';
import { EquityTracker } from '../core/equity.js';
import { liveLanes, runLanes } from '../operators/run-lane.js';
import { exchangeClock, fetchFailure, isTransient, readClock, slotOf, type ExchangeFetchError } from '../sources/ccxt-exchange.js';
import { FlowGate } from '../core/flow-gate.js';
import { Aborted, retrying } from '../sources/retry.js';
import { cacheErrorEvent, pollCandles, sourceErrorEvent, warmupCandles, type LiveCandlesOptions } from './live-candles.js';
import { indicatorWarmup, warmupCandles as indicatorCandles } from '../indicators/warmup.js';
import { LiveMonitor } from './live-monitor.js';
import { liveConfig, parseLiveOptions, type LiveOptions, type ParsedLiveOptions } from './live-options.js';
import { planResume, type ResumePlan } from './live-resume.js';
import { riskLanes } from './risk-lanes.js';
import { StopControl } from './stop-control.js';
import { StopCutoff } from './stop-cutoff.js';

/**
 * Runs strategies live on an exchange's closed candles (SEMANTICS §11): the backtest's operators, fed by a ccxt
 * exchange, with every lane transition checkpointed before its events go on — so a crash at any point loses
 * nothing and duplicates nothing.
 *
 * On subscription it reads the exchange's clock, restores every lane (strategy × symbol) from `store` (a lane
 * without a checkpoint starts idle at `since`, default the candle forming now) and first re-delivers the events of
 * each lane's last checkpoint (same `eventId`s: consumers de-duplicate). It then loads `warmupCandles` of history
 * before each symbol's resume point into the price history (from the store's candle cache, the exchange filling
 * the gaps) without running the lanes, backfills from the resume point and polls for newly closed candles. Failed
 * exchange requests are retried forever and each becomes an `error` event naming symbol, time and cause; a
 * strategy that throws is an `error` event too. Nothing stops the node but `stop`, unsubscribing, a permanent
 * exchange error (an unknown symbol), a failing sink or a checkpoint that cannot be written.
 *
 * `stop` emitting `'drain'`: strategies are no longer asked; open (and scheduled) signals are monitored until they
 * resolve, then the stream completes. `'detach'`: the stream completes at once, leaving them open in the store for
 * the next start. Either way a last checkpoint records how far every lane got, and completion waits for the sinks.
 *
 * @example
 * ```ts
 * import ccxt from 'ccxt';
 * import { Subject } from 'rxjs';
 * import { openStore } from 'tickflow/lmdb';
 * import { live, type StopMode } from 'tickflow/live';
 *
 * const store = openStore({ path: './state' });
 * const stop = new Subject<StopMode>();
 * process.once('SIGTERM', () => stop.next('drain'));
 * live({ exchange: new ccxt.binance({ enableRateLimit: true }), symbols: ['BTC/USDT'], strategies: [myStrategy], store, stop })
 *   .subscribe({ next: (e) => console.log(e.action, e.symbol), complete: () => store.close() });
 * ```
 */
export function live(options: LiveOptions): Observable<SignalEvent> {
  const o = parseLiveOptions(options);
  const config = liveConfig(o.config);
  return defer(() => {
    const monitor = o.monitor ?? new LiveMonitor();
    const node$ = new Observable<SignalEvent>((out) => new ExchangeNode(o, config, monitor, out).start());
    return (o.sinks ?? [])
      .reduce((events$, sink) => events$.pipe(sink), node$)
      .pipe(finalize(() => monitor.move('stop')));
  });
}

/**
 * One subscription of {@link live}, a state machine (`node-states.ts`): {@link start} reads the exchange's clock
 * (`starting`), {@link restore} brings the lanes back and re-delivers their last events, {@link runLanes} warms up,
 * backfills (`warming-up`) and polls (`running`); `stop` drains (`draining`) or detaches, and the end of the lanes'
 * stream {@link finishLanes} writes the last cut (`stopped`, by the caller's `finalize`).
 */
class ExchangeNode {
  private readonly stepMs: number;
  private readonly clock: () => number | Promise<number>;
  private readonly gate: FlowGate;
  private readonly abort = new AbortController();
  private readonly finish$ = new Subject<void>();
  private readonly stopping: StopControl;
  private readonly cutoff = new StopCutoff();
  /** Lanes are running: a stop must let the candle being processed release its events first. */
  private running = false;
  private finishing = false;
  private lanes: Subscription | undefined;

  constructor(
    private readonly o: ParsedLiveOptions,
    private readonly config: Config,
    private readonly monitor: LiveMonitor,
    private readonly out: Subscriber<SignalEvent>,
  ) {
    this.stepMs = intervalMs(o.interval);
    this.clock = o.clock ?? exchangeClock(o.exchange);
    this.gate = o.gate ?? new FlowGate();
    this.stopping = new StopControl(o.stop, monitor, () => this.finish(), () => this.cutoff.freeze());
  }

  /** `starting`: the store checked, the exchange's clock read; returns the subscription's teardown. */
  start(): TeardownLogic {
    const { o, out } = this;
    const starting = async () => {
      // Before anything else, the exchange included: a store of another interval is a mistake to report at once.
      o.store.bindInterval?.(o.interval);
      this.monitor.watch(o.symbols, this.stepMs);
      // The exchange's time decides where a fresh lane starts and which candles the warm-up may ask for.
      const startedAt = await retrying(() => readClock(this.clock), { ...o.retry, maxRetries: Infinity }, {
        retryable: isTransient,
        onFailure: (err, attempt, retryInMs) => {
          this.report(fetchFailure(o.exchange, '*', o.interval, Date.now(), err, attempt, retryInMs));
          this.stopping.startupFailing();
        },
        signal: this.abort.signal,
      });
      if (out.closed || this.abort.signal.aborted) return out.complete();
      const plan = this.restore(startedAt);
      if (plan === null) return;
      this.running = true;
      this.stopping.started();
      this.runLanes(plan, startedAt);
    };
    starting().catch((err: unknown) => {
      if (err instanceof Aborted) out.complete();
      else out.error(err);
    });
    return () => {
      this.abort.abort();
      this.stopping.dispose();
      this.lanes?.unsubscribe();
    };
  }

  /** Still `starting`: every lane restored from the store, its last events delivered again; null if unsubscribed. */
  private restore(startedAt: number): ResumePlan | null {
    const { o, monitor } = this;
    const strategies = o.strategyList;
    const plan = planResume({
      store: o.store,
      strategies: strategies.map((s) => s.name),
      symbols: o.symbols,
      stepMs: this.stepMs,
      start: o.since ?? slotOf(startedAt, o.interval),
    });
    for (const [strategy, perSymbol] of plan.lanes) {
      for (const [symbol, lane] of perSymbol) monitor.restoreLane(strategy, symbol, lane.state);
    }
    for (const symbol of o.symbols) {
      // A symbol some lane of which ran before: its last candle is known (for the age of the newest candle).
      if (strategies.some((s) => plan.outboxOf(s.name, symbol) !== undefined)) monitor.resumeAfter(symbol, plan.since[symbol]! - this.stepMs);
    }
    for (const e of plan.outbox) {
      if (this.out.closed) return null;
      this.emit(e);
    }
    return plan;
  }

  /** `warming-up`, then `running`: the candles of every symbol through the lanes, each transition checkpointed. */
  private runLanes(plan: ResumePlan, startedAt: number): void {
    const { o, config, monitor } = this;
    const strategies = o.strategyList;
    // One account for every lane (SEMANTICS §12), continued from the store's last cut: cash and open stakes survive
    // a crash, and the cut writes it in the same transaction as the lanes.
    const account = new EquityTracker({ money: config, config, curve: false, late: 'clamp' }, () => {}, o.store.readAccount?.());
    monitor.watchAccount(account);
    const cut = checkpointCut(o.store, { outbox: plan.outboxOf, account: () => account.snapshot() });
    // The same risk wiring as a backtest: every open position in the store holds its slot from the first candle,
    // whichever symbol's lane runs first.
    const laneOptions = riskLanes(
      {
        restore: (strategy: string, symbol: string) => plan.lanes.get(strategy)?.get(symbol),
        after: [cut.stage],
        // Stopping, in either mode: no new signals for candles read after the request.
        paused: this.cutoff.paused,
      },
      { risk: o.risk, strategies, config, scheduler: o.scheduler, store: o.store },
    );
    const candles: LiveCandlesOptions = {
      exchange: o.exchange,
      symbols: o.symbols,
      interval: o.interval,
      since: plan.since,
      warmup: o.warmupCandles ?? Math.max(config.historyCandles, indicatorCandles(indicatorWarmup(strategies), this.stepMs)),
      cache: o.store.candles,
      clock: this.clock,
      startedAt,
      pollMs: o.pollMs,
      retry: o.retry,
      settleMs: o.settleMs,
      pageSize: o.pageSize,
      gate: this.gate,
      onError: (err) => this.report(err),
      onDuplicate: () => monitor.duplicate(),
      onCacheError: (symbol, at, err) => this.emit(cacheErrorEvent(symbol, at, err)),
      onLive: () => monitor.move('run'),
    };
    const candles$ = concat(
      defer(() => {
        monitor.move('warm-up');
        return warmupCandles(candles);
      }).pipe(tap((c) => monitor.candle(c.symbol, c.candle.timestamp, true))),
      pollCandles(candles).pipe(
        tap((c) => {
          monitor.candle(c.symbol, c.candle.timestamp, false);
          this.cutoff.read(c.symbol, c.candle.timestamp);
        }),
      ),
    ).pipe(takeUntil(this.finish$));
    this.lanes = candles$
      .pipe(
        averagePrice({ ...config, indicatorWarmup: indicatorWarmup(strategies) }),
        runLanes(strategies, config, {
          ...laneOptions,
          account,
          mode: 'live',
          scheduler: o.scheduler,
          gate: this.gate,
          independent: liveLanes(o.stopGraceMs),
          // A lane waiting on its strategy mid-step is cut as far as it got (see checkpointCut).
          waiting: cut.waiting,
        }),
      )
      .subscribe({
        next: (e) => this.emit(e),
        error: (err: unknown) => this.out.error(err),
        complete: () => this.finishLanes(cut),
      });
  }

  /** The lanes' stream ended (stop, or the source ran out): record how far every lane got, then complete. */
  private finishLanes(cut: { cut(): void }): void {
    // The next start resumes here instead of re-running since the last transition.
    try {
      cut.cut();
    } catch (err) {
      this.out.error(err);
      return;
    }
    this.out.complete();
  }

  /** Asked by `stop` (a detach, or a drain with nothing left to hold). */
  private finish(): void {
    if (this.finishing) return;
    this.finishing = true;
    if (!this.running) this.abort.abort();
    // After the step being processed has released all its events.
    else queueMicrotask(() => this.finish$.next());
  }

  private emit(e: SignalEvent): void {
    this.monitor.event(e);
    this.out.next(e);
  }

  private report(err: ExchangeFetchError): void {
    this.emit(sourceErrorEvent(err));
  }
}
