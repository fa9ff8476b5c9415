import { hostname } from 'node:os';
import { finalize, isObservable, Observable, type MonoTypeOperatorFunction, type ObservableInput, type SchedulerLike, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import { z } from 'zod';
import type { Candle } from '../core/candle.js';
import type { Config, ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { intervalMs } from '../core/intervals.js';
import { IDLE_STATE, laneState, NO_EVENTS, type Lane, type LaneState, type LaneStep } from '../core/lane.js';
import { StrategySchema, StrategyError, type Strategy } from '../core/strategy.js';
import { BarBook } from '../engine/bar-book.js';
import { LaneSet } from '../engine/lane-set.js';
import type { RestoredLane } from '../engine/lane-book.js';
import { liveLanes } from '../operators/run-lane.js';
import { EquityTracker } from '../core/equity.js';
import type { LaneStage } from '../engine/stage.js';
import { ChangelogWriter } from './changelog.js';
import { fn, GateSchema, parseOptions } from './options.js';
import { FlowGate } from '../core/flow-gate.js';
import { kafkaCandles, KafkaCandlesOptionsSchema, type KafkaCandle, type KafkaCandleProblem } from './candles.js';
import { CandleCacheBatch } from './candle-cache-batch.js';
import { StandbyReplica } from './replica.js';
import type { CheckpointEntry } from '../store/types.js';
import { LiveMonitor } from '../pipelines/live-monitor.js';
import { indicatorWarmup, warmupCandles, type IndicatorWarmup } from '../indicators/warmup.js';
import { liveConfig, type LiveStore, type StopMode } from '../pipelines/live-options.js';
import { StopControl } from '../pipelines/stop-control.js';
import { StopCutoff } from '../pipelines/stop-cutoff.js';
import { parseOrThrow } from '../core/problems.js';

const object = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

export const LiveFromKafkaOptionsSchema = z.strictObject({
  /**
   * The candle topic and consumer group (`kafkaCandles` options). Acknowledgement, the gate and rebalances are the
   * pipeline's job, so `autoAck`, `gate` and `onAssign` are not accepted (`onError` is an option of its own).
   */
  kafka: KafkaCandlesOptionsSchema.omit({ autoAck: true, gate: true, onError: true, onAssign: true }),
  /** Only these symbols run lanes (default: every symbol on the topic); others are acknowledged and ignored. */
  symbols: z
    .array(z.string().min(1))
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'symbols must not repeat')
    .optional(),
  strategies: z.custom<Strategy | readonly Strategy[]>((s) => object(s), 'expected a strategy or an array of strategies'),
  store: z.custom<LiveStore>(
    (s) => object(s) && typeof s.writeCheckpoint === 'function' && typeof s.readCheckpoint === 'function' && object(s.candles),
    'expected a store with lane checkpoints and a candle cache (openStore from tickflow/lmdb)',
  ),
  config: z.custom<ConfigInput | Config>((c) => object(c), 'expected a config object').optional(),
  sinks: z.array(fn<MonoTypeOperatorFunction<SignalEvent>>('an operator (events) => events')).optional(),
  /** Base candles of history (from the store's candle cache) loaded before a symbol's first candle; default `historyCandles`. */
  warmupCandles: z.number().int().nonnegative().optional(),
  /**
   * Candles processed without a transition before every lane is checkpointed anyway (default 500), so offsets keep
   * being committed on a quiet topic and a restart re-reads at most this many candles.
   */
  cutEvery: z.number().int().positive().default(500),
  /**
   * Lane state travels with the partitions through this compacted topic (create it with
   * `ensureTopics({ topics: [{ topic, config: { 'cleanup.policy': 'compact' } }] })`): every checkpoint is also
   * written there, offsets are committed only once it is, and every node keeps a standby copy of all lanes (and of
   * the candle topic, for price history) in its own store. Without it, nodes of one group must share one store.
   */
  changelog: z
    .strictObject({
      topic: z.string().min(1),
      /**
       * Names this node's standby reader (its own consumer group, `<groupId>.standby.<nodeId>`): unique per node
       * (default: host name, process id and a counter). Never part of an event.
       */
      nodeId: z.string().min(1).optional(),
    })
    .optional(),
  /** Counters and gauges for `/healthz` and `/metrics` (see `LiveMonitor`). */
  monitor: z.custom<LiveMonitor>((m) => object(m) && typeof m.status === 'function' && typeof m.event === 'function', 'expected a LiveMonitor').optional(),
  /**
   * Emits (or resolves) to stop. `'detach'`: a last checkpoint, committed, and the node leaves the group (its
   * partitions, with open positions, move to the other nodes). `'drain'`: no new signals; the node keeps running
   * the lanes it holds until none of them holds a signal, then detaches.
   */
  stop: z
    .custom<ObservableInput<StopMode>>((s) => isObservable(s) || (object(s) && typeof s.then === 'function'), 'expected an Observable or a Promise')
    .optional(),
  /** Backpressure shared with a sink (e.g. `toKafka({ gate })`): the consumer pauses while it is held. */
  gate: GateSchema.optional(),
  /** Once stopping, how long a strategy still thinking may take before its ask is abandoned (an `error` event). */
  stopGraceMs: z.number().nonnegative().default(5_000),
  /** Told of each skipped record and each consumer failure (default: a warning on stderr). */
  onError: fn<(problem: KafkaCandleProblem) => void>('onError').optional(),
  scheduler: z.custom<SchedulerLike>((s) => object(s) && typeof s.schedule === 'function', 'expected an RxJS scheduler').optional(),
});

export type LiveFromKafkaOptions = z.input<typeof LiveFromKafkaOptionsSchema>;

const key = (strategy: string, symbol: string) => `${strategy}\u0000${symbol}`;

/**
 * The live node fed by a Kafka candle topic instead of a ccxt exchange: `kafkaCandles` → lanes, every lane
 * transition checkpointed in `store` before its events go on (as in `live`), and a candle's offset committed only
 * once every lane of its symbol is checkpointed at or past it. A crash (or an abrupt unsubscribe) therefore re-reads
 * candles rather than losing them; a re-read candle at or before a lane's checkpoint is skipped by that lane, and
 * each lane's last checkpointed events are delivered again with their original `eventId`s the first time the node
 * sees its symbol.
 *
 * Symbols are discovered from the topic: a symbol's lanes are restored from the store (or start idle at its first
 * candle) when its first candle arrives, after `warmupCandles` of its history are loaded from the store's candle
 * cache into the price history (every candle read is cached). Candles of different symbols are not merged by time,
 * so a portfolio-wide risk profile is not offered here: each symbol's lanes are independent.
 *
 * Scale-out: nodes with one `groupId` split the topic's partitions, and so its symbols. With `changelog`, every
 * checkpoint also goes to a compacted topic and offsets are committed only once it is there; every node keeps a
 * standby copy of all lanes and candles in its own store, and waits for that copy to catch up whenever partitions
 * are assigned to it — so nodes in separate processes or machines hand lanes over with their state and price
 * history (see the README, Kafka). Without it, the nodes must share one store object (one process). When a
 * rebalance takes a symbol away, the node drops its lanes and history at once (nothing more of them is checkpointed
 * or emitted here); when a symbol comes back, it is set up again from the store like a new one.
 *
 * Lanes are independent, as in `live`: each waits only for its own strategy, so one that never answers holds back
 * neither the other lanes (their take-profit / stop-loss checks included) nor the consumer; an offset is committed
 * only once every lane of its symbol is checkpointed past it, so a lane behind its strategy holds back only its own
 * symbol's commits. `stop` waits at most `stopGraceMs` for a thinking strategy.
 *
 * `stop`: `'detach'` records a last checkpoint, waits for the changelog to have it, commits and leaves the group;
 * `'drain'` asks no strategy any more and detaches once no lane this node runs holds a signal.
 *
 * @example
 * ```ts
 * import { openStore } from 'tickflow/lmdb';
 * import { ensureChangelogTopic, liveFromKafka, toKafka } from 'tickflow/kafka';
 *
 * await ensureChangelogTopic({ brokers: '127.0.0.1:19092', topic: 'nodes-changelog', like: 'candles' });
 * liveFromKafka({
 *   kafka: { brokers: '127.0.0.1:19092', topic: 'candles', groupId: 'nodes', fromBeginning: true },
 *   changelog: { topic: 'nodes-changelog' },
 *   strategies: [myStrategy],
 *   store: openStore({ path: './state' }), // this node's own
 *   sinks: [toKafka({ brokers: '127.0.0.1:19092', topic: 'signals' })],
 * }).subscribe((e) => console.log(e.action, e.symbol));
 * ```
 */
export function liveFromKafka(options: LiveFromKafkaOptions): Observable<SignalEvent> {
  const o = parseOptions(LiveFromKafkaOptionsSchema, options, 'liveFromKafka');
  const strategies: readonly Strategy[] = Array.isArray(o.strategies) ? (o.strategies as readonly Strategy[]) : [o.strategies as Strategy];
  if (strategies.length === 0) throw new StrategyError(`liveFromKafka: 'strategies': give at least one strategy`);
  strategies.forEach((s, i) => {
    parseOrThrow(StrategySchema, s, `liveFromKafka: strategies[${i}] is not a valid strategy`, (line) => new StrategyError(line));
  });
  const config = liveConfig(o.config, 'liveFromKafka config');
  const monitor = o.monitor ?? new LiveMonitor();
  const node$ = new Observable<SignalEvent>((out) => new KafkaNode(o, strategies, config, monitor, out).start()).pipe(
    finalize(() => monitor.move('stop')),
  );
  return (o.sinks ?? []).reduce((events$, sink) => events$.pipe(sink), node$);
}

type Parsed = z.output<typeof LiveFromKafkaOptionsSchema>;

/** What the node knows of a lane: where it resumes, and how far it is durably checkpointed. */
interface LaneMark {
  readonly restored: RestoredLane;
  /** Open time of the lane's last candle covered by a written checkpoint (what may be committed). */
  durable: number;
  /** Open time of the lane's last candle through every stage (durable once the next cut is written). */
  processed: number;
  /** The lane object, once it ran in this process: a cut writes its current state. */
  lane: Lane | null;
  /** The events of the lane's last transition: its outbox in the next cut. */
  events: readonly SignalEvent[];
  /** While the lane's step waits on its strategy: the lane as far as that step went (see `checkpointCut`). */
  mid: { readonly state: LaneState; readonly events: readonly SignalEvent[] } | null;
}

let nodes = 0;
const defaultNodeId = () => `${hostname()}-${process.pid}-${++nodes}`;

/**
 * One subscription of {@link liveFromKafka}, a state machine (`pipelines/node-states.ts`): `running` from the
 * start (a symbol's lanes are set up when its first candle arrives: {@link setUp}), `draining` on a drain request,
 * `stopped` once the lanes' stream ended and the last cut is committed ({@link finishLanes}). Rebalances move
 * symbols away ({@link onAssign}); one that comes back is set up again ({@link setUp}).
 */
class KafkaNode {
  private readonly gate: FlowGate;
  private readonly wanted: ReadonlySet<string> | null;
  /** What the declared indicators need of history before a symbol's first decision. */
  private readonly indicators: IndicatorWarmup;
  private readonly marks = new Map<string, LaneMark>();
  /** Symbols whose lanes are set up, in first-seen order (the order a cut writes them in). */
  private readonly symbols = new Set<string>();
  private sinceCut = 0;
  private readonly report: (p: KafkaCandleProblem) => void;
  private readonly writer: ChangelogWriter | null;
  private readonly replica: StandbyReplica | null;
  /**
   * Every candle read goes to the candle cache, so a restart's warm-up finds the history the lanes saw. With a
   * changelog the standby copy caches the whole topic (in batches) and a node waits for it before running candles;
   * without one, candles are held here and written by each cut, before its checkpoints: a candle's offset is
   * committed only after a cut, so every committed candle is in the cache and the rest are read again.
   */
  private readonly cache: CandleCacheBatch | null;
  private readonly stopping: StopControl;
  private readonly cutoff = new StopCutoff();
  private readonly source: ReturnType<typeof kafkaCandles>;
  private stopped = false;
  /** Set while the last cut waits for the changelog: stops that wait. */
  private giveUp: (() => void) | null = null;
  /** Each symbol's price history and indicators. */
  private readonly bars: BarBook;
  /**
   * Every lane, each waiting only for its own strategy (live): a thinking strategy holds back neither another
   * lane's take-profit / stop-loss checks nor the consumer.
   */
  private readonly lanes: LaneSet;
  private readonly account: EquityTracker;
  /** Each set-up symbol's partition, to tell which symbols a rebalance took away. */
  private readonly partitionOf = new Map<string, number>();
  /**
   * Owned here rather than by the lanes' chain: on `stop` the lanes must finish and the last cut be committed
   * through this consumer before it leaves the group.
   */
  private reading: Subscription | null = null;

  constructor(
    private readonly o: Parsed,
    private readonly strategies: readonly Strategy[],
    private readonly config: Config,
    private readonly monitor: LiveMonitor,
    private readonly out: Subscriber<SignalEvent>,
  ) {
    this.gate = o.gate ?? new FlowGate();
    this.wanted = o.symbols === undefined ? null : new Set(o.symbols);
    this.indicators = indicatorWarmup(strategies);
    this.report = o.onError ?? ((p: KafkaCandleProblem) => console.warn(`liveFromKafka: ${p.message}`));
    const changelogProblem = (topic: string) => (message: string, cause: unknown) => this.report({ kind: 'changelog', topic, message, cause });
    this.writer = o.changelog
      ? new ChangelogWriter({ brokers: o.kafka.brokers, topic: o.changelog.topic, clientId: o.kafka.clientId, onError: changelogProblem(o.changelog.topic) })
      : null;
    this.replica = o.changelog
      ? new StandbyReplica({
          brokers: o.kafka.brokers,
          clientId: o.kafka.clientId,
          groupId: `${o.kafka.groupId}.standby.${o.changelog.nodeId ?? defaultNodeId()}`,
          changelogTopic: o.changelog.topic,
          candleTopic: o.kafka.topic,
          store: o.store,
          onError: changelogProblem(o.changelog.topic),
        })
      : null;
    this.cache = this.replica === null ? new CandleCacheBatch(o.store.candles) : null;
    monitor.move('run');
    this.stopping = new StopControl(o.stop, monitor, () => this.finish(), () => this.cutoff.freeze());
    this.source = kafkaCandles({ ...o.kafka, gate: this.gate, onError: o.onError, onAssign: (partitions) => this.onAssign(partitions) });
    this.bars = new BarBook({ ...config, indicatorWarmup: this.indicators });
    // The node's account (SEMANTICS §12), continued from the store's last cut like its lanes.
    this.account = new EquityTracker({ money: config, config, curve: false, late: 'clamp' }, () => {}, o.store.readAccount?.());
    monitor.watchAccount(this.account);
    this.lanes = new LaneSet(
      strategies,
      config,
      {
        account: this.account,
        restore: (strategy, symbol) => this.marks.get(key(strategy, symbol))?.restored,
        after: [this.checkpoint],
        waiting: (step) => this.waiting(step),
        // Draining or detaching: no new signals for candles read after the request.
        paused: this.cutoff.paused,
        mode: 'live',
        scheduler: o.scheduler,
        independent: liveLanes(o.stopGraceMs),
      },
      {
        next: (e) => this.emit(e),
        error: (err) => this.fail(err),
        complete: () => this.finishLanes(),
        get closed() {
          return out.closed;
        },
      },
    );
  }

  /** Joins the group and runs; returns the subscription's teardown. */
  start(): TeardownLogic {
    this.replica?.start();
    // Every record that cannot be used is skipped by the source; what fails here is the node's own machinery (the
    // store): the node stops with that error rather than throwing into the consumer, which would re-read the record
    // for ever.
    this.reading = this.source.subscribe({
      next: (c) => {
        try {
          this.onCandle(c);
        } catch (err) {
          this.fail(err);
        }
      },
      error: (err: unknown) => this.fail(err),
    });
    this.stopping.started();
    return () => {
      this.stopping.dispose();
      this.lanes.stop();
      this.leave();
    };
  }

  private emit(e: SignalEvent): void {
    this.monitor.event(e);
    this.out.next(e);
  }

  /** Every lane of the symbol durably at or past this open time: the candle's offset may be committed. */
  private ackable(symbol: string): number {
    let min = Infinity;
    for (const s of this.strategies) min = Math.min(min, this.marks.get(key(s.name, symbol))!.durable);
    return min;
  }

  private commitDurable(): void {
    for (const symbol of this.symbols) {
      const upTo = this.ackable(symbol);
      if (upTo > -Infinity) this.source.commit(symbol, upTo);
    }
  }

  /**
   * One transaction for every lane seen, like `checkpointCut`: a consistent cut. Written before the step's events
   * are released; offsets are committed only once it is durable — in the store, and in the changelog when there is
   * one — so a committed candle is always covered by a checkpoint its next owner can restore.
   */
  private cut(): void {
    this.cache?.flush();
    const entries: CheckpointEntry[] = [];
    const covered: Array<[LaneMark, number]> = [];
    for (const symbol of this.symbols) {
      for (const s of this.strategies) {
        const m = this.marks.get(key(s.name, symbol))!;
        if (m.lane === null) continue; // never ran here: its stored checkpoint is already what it is
        const state = m.mid?.state ?? m.lane.state;
        entries.push({ strategy: s.name, symbol, checkpoint: { state, lastTimestamp: m.processed, events: m.mid?.events ?? m.events } });
        covered.push([m, m.processed]);
      }
    }
    this.sinceCut = 0;
    if (entries.length === 0) return this.commitDurable();
    const store = this.o.store;
    if (store.writeCheckpoints) store.writeCheckpoints(entries, this.account.snapshot());
    else for (const e of entries) store.writeCheckpoint(e.strategy, e.symbol, e.checkpoint);
    const durable = () => {
      for (const [m, at] of covered) if (m.durable < at) m.durable = at;
      this.commitDurable();
    };
    if (this.writer === null) durable();
    else void this.writer.write(entries).then(durable);
  }

  private readonly checkpoint: LaneStage = (step) => {
    const m = this.marks.get(key(step.lane.strategy, step.lane.symbol));
    if (m === undefined) return; // its symbol moved to another node meanwhile: never checkpoint it from here
    m.lane = step.lane;
    m.processed = step.bar.candle.timestamp;
    m.mid = null;
    if (step.transitioned) m.events = step.events;
    if (step.transitioned || ++this.sinceCut >= this.o.cutEvery * this.strategies.length) this.cut();
  };

  /**
   * A lane's step starts waiting on its strategy while the other lanes go on: a cut meanwhile records this lane as
   * far as the step went — its state, the step's events so far as its outbox, the throttle from before the ask —
   * because what the step did (a close, its settlement) is in the state and account the cut writes.
   */
  private waiting(step: LaneStep): void {
    const m = this.marks.get(key(step.lane.strategy, step.lane.symbol));
    if (m === undefined) return;
    m.lane = step.lane;
    const { signal, partials, lastAskedAt } = step.lane.state;
    m.mid = {
      state: laneState(signal, partials, lastAskedAt === step.bar.now ? null : lastAskedAt),
      events: step.events === NO_EVENTS ? m.events : [...step.events],
    };
  }

  /** A symbol's first candle: restore (or start) its lanes, re-deliver their last events, load its history. */
  private setUp(c: KafkaCandle): void {
    const { o, monitor, replica } = this;
    const step = intervalMs(c.interval);
    this.symbols.add(c.symbol);
    monitor.watch([c.symbol], step);
    for (const s of this.strategies) {
      const cp = o.store.readCheckpoint(s.name, c.symbol);
      const restored: RestoredLane = cp
        ? { state: cp.state, lastTimestamp: cp.lastTimestamp }
        : { state: IDLE_STATE, lastTimestamp: c.candle.timestamp - step };
      const outbox = cp?.events ?? NO_EVENTS;
      // With a changelog, only what it holds may be committed against: a checkpoint this node wrote to its own
      // store just before it crashed may never have reached it.
      const durable = cp === undefined ? -Infinity : replica === null ? cp.lastTimestamp : Math.min(cp.lastTimestamp, replica.logs(s.name, c.symbol));
      this.marks.set(key(s.name, c.symbol), { restored, durable, processed: restored.lastTimestamp, lane: null, events: outbox, mid: null });
      monitor.restoreLane(s.name, c.symbol, restored.state);
      if (cp !== undefined) monitor.resumeAfter(c.symbol, cp.lastTimestamp);
      for (const e of outbox) this.emit(e);
    }
    const warmup = o.warmupCandles ?? Math.max(this.config.historyCandles, warmupCandles(this.indicators, step));
    if (warmup > 0) {
      // At or before every lane's resume point: they only fill the price history, no lane runs them again.
      for (const candle of o.store.candles.readCandles(c.symbol, c.interval, c.candle.timestamp - warmup * step, c.candle.timestamp)) {
        monitor.candle(c.symbol, candle.timestamp, true);
        this.lanes.push(this.bars.bar(c.symbol, c.interval, candle));
      }
    }
  }

  private leave(): void {
    this.reading?.unsubscribe();
    this.reading = null;
    void this.writer?.close();
    void this.replica?.stop();
  }

  private fail(err: unknown): void {
    this.leave();
    this.out.error(err);
  }

  /**
   * Every queued step went through: record how far each lane got, commit it (once the changelog has it), then
   * leave the group.
   */
  private finishLanes(): void {
    try {
      this.cut();
    } catch (err) {
      this.fail(err);
      return;
    }
    // A second stop request stops waiting (the broker may be gone for good): only what the changelog has is
    // committed either way, so the next owner re-reads the rest.
    const gaveUp = new Promise<void>((resolve) => (this.giveUp = resolve));
    void Promise.race([this.writer?.flush() ?? Promise.resolve(), gaveUp]).then(() => {
      this.commitDurable();
      this.leave();
      this.out.complete();
    });
  }

  /**
   * A rebalance took these symbols away: stop checkpointing (and committing) them at once, or the next cut would
   * overwrite their new owner's checkpoints with this node's stale lanes. With a changelog, no candle of the new
   * assignment runs before the standby copy holds what the partitions' previous owners had committed.
   */
  private onAssign(partitions: readonly number[]): void {
    const owned = new Set(partitions);
    for (const symbol of [...this.symbols]) {
      if (owned.has(this.partitionOf.get(symbol)!)) continue;
      this.symbols.delete(symbol);
      for (const s of this.strategies) this.marks.delete(key(s.name, symbol));
      this.monitor.forget(symbol);
      // Its lanes and history here are stale from now on; if it comes back it is set up afresh from the store.
      this.lanes.forget(symbol);
      this.bars.forget(symbol);
    }
    if (this.replica !== null) {
      this.gate.hold();
      void this.replica.caughtUp().then(() => this.gate.release());
    }
  }

  /** Asked by `stop` (a detach, or a drain with nothing left to hold); a second request gives up waiting. */
  private finish(): void {
    if (this.stopped) return this.giveUp?.();
    this.stopped = true;
    // After the step being processed has released all its events.
    queueMicrotask(() => this.lanes.end());
  }

  private onCandle(c: KafkaCandle): void {
    if (this.stopped) return;
    if (this.wanted !== null && !this.wanted.has(c.symbol)) return c.ack();
    if (!this.symbols.has(c.symbol)) {
      this.partitionOf.set(c.symbol, c.origin.partition);
      this.setUp(c);
    }
    const candle: Candle = c.candle;
    this.cache?.add(c.symbol, c.interval, candle);
    // Still goes on when every lane has it checkpointed (re-read after a crash or a rebalance): the lanes skip
    // it, but the price history needs it. Its offset may be committed at once.
    if (candle.timestamp <= this.ackable(c.symbol)) this.source.commit(c.symbol, candle.timestamp);
    this.monitor.candle(c.symbol, candle.timestamp, false);
    this.cutoff.read(c.symbol, candle.timestamp);
    this.lanes.push(this.bars.bar(c.symbol, c.interval, candle));
  }
}
