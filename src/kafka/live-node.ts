import { hostname } from 'node:os';
import { finalize, isObservable, Observable, type MonoTypeOperatorFunction, type ObservableInput, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { z } from 'zod';
import type { Candle, SymbolCandle } from '../core/candle.js';
import type { Config, ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { intervalMs } from '../core/intervals.js';
import { IDLE_STATE, NO_EVENTS, type Lane } from '../core/lane.js';
import { StrategySchema, StrategyError, type Strategy } from '../core/strategy.js';
import { averagePrice } from '../operators/average-price.js';
import type { RestoredLane } from '../engine/lane-book.js';
import { runLanes } from '../operators/run-lane.js';
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
import { liveConfig, type LiveStore, type StopMode } from '../pipelines/live-options.js';
import { StopControl } from '../pipelines/stop-control.js';
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
 * rebalance takes a symbol away, the node stops checkpointing it at once; when a symbol comes back, the node
 * checkpoints its other lanes and rebuilds its lanes from the store.
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
  const node$ = new Observable<SignalEvent>((out) => runKafkaNode(o, strategies, config, monitor, out)).pipe(
    finalize(() => monitor.setPhase('stopped')),
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
}

let nodes = 0;
const defaultNodeId = () => `${hostname()}-${process.pid}-${++nodes}`;

function runKafkaNode(o: Parsed, strategies: readonly Strategy[], config: Config, monitor: LiveMonitor, out: Subscriber<SignalEvent>) {
  const gate = o.gate ?? new FlowGate();
  const wanted = o.symbols === undefined ? null : new Set(o.symbols);
  const warmup = o.warmupCandles ?? config.historyCandles;
  const marks = new Map<string, LaneMark>();
  /** Symbols whose lanes are set up, in first-seen order (the order a cut writes them in). */
  const symbols = new Set<string>();
  let sinceCut = 0;

  const report = o.onError ?? ((p: KafkaCandleProblem) => console.warn(`liveFromKafka: ${p.message}`));
  const changelogProblem = (topic: string) => (message: string, cause: unknown) => report({ kind: 'changelog', topic, message, cause });
  const writer = o.changelog ? new ChangelogWriter({ brokers: o.kafka.brokers, topic: o.changelog.topic, clientId: o.kafka.clientId, onError: changelogProblem(o.changelog.topic) }) : null;
  const replica = o.changelog
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

  // Every candle read goes to the candle cache, so a restart's warm-up finds the history the lanes saw. With a
  // changelog the standby copy caches the whole topic (in batches) and a node waits for it before running candles;
  // without one, candles are held here and written by each cut, before its checkpoints: a candle's offset is
  // committed only after a cut, so every committed candle is in the cache and the rest are read again.
  const cache = replica === null ? new CandleCacheBatch(o.store.candles) : null;

  const emit = (e: SignalEvent) => {
    monitor.event(e);
    out.next(e);
  };

  // Every lane of the symbol durably at or past `timestamp`: the candle's offset may be committed.
  const ackable = (symbol: string): number => {
    let min = Infinity;
    for (const s of strategies) min = Math.min(min, marks.get(key(s.name, symbol))!.durable);
    return min;
  };
  const commitDurable = () => {
    for (const symbol of symbols) {
      const upTo = ackable(symbol);
      if (upTo > -Infinity) source.commit(symbol, upTo);
    }
  };

  // One transaction for every lane seen, like `checkpointCut`: a consistent cut. Written before the step's events
  // are released; offsets are committed only once it is durable — in the store, and in the changelog when there is
  // one — so a committed candle is always covered by a checkpoint its next owner can restore.
  const cut = () => {
    cache?.flush();
    const entries: CheckpointEntry[] = [];
    const covered: Array<[LaneMark, number]> = [];
    for (const symbol of symbols) {
      for (const s of strategies) {
        const m = marks.get(key(s.name, symbol))!;
        if (m.lane === null) continue; // never ran here: its stored checkpoint is already what it is
        entries.push({ strategy: s.name, symbol, checkpoint: { state: m.lane.state, lastTimestamp: m.processed, events: m.events } });
        covered.push([m, m.processed]);
      }
    }
    sinceCut = 0;
    if (entries.length === 0) return commitDurable();
    if (o.store.writeCheckpoints) o.store.writeCheckpoints(entries, account?.snapshot());
    else for (const e of entries) o.store.writeCheckpoint(e.strategy, e.symbol, e.checkpoint);
    const durable = () => {
      for (const [m, at] of covered) if (m.durable < at) m.durable = at;
      commitDurable();
    };
    if (writer === null) durable();
    else void writer.write(entries).then(durable);
  };

  const checkpoint: LaneStage = (step) => {
    const m = marks.get(key(step.lane.strategy, step.lane.symbol));
    if (m === undefined) return; // its symbol moved to another node meanwhile: never checkpoint it from here
    m.lane = step.lane;
    m.processed = step.bar.candle.timestamp;
    if (step.transitioned) m.events = step.events;
    if (step.transitioned || ++sinceCut >= o.cutEvery * strategies.length) cut();
  };

  // A symbol's first candle: restore (or start) its lanes, re-deliver their last events, load its history.
  const setUp = (c: KafkaCandle, into: Subscriber<SymbolCandle>) => {
    const step = intervalMs(c.interval);
    symbols.add(c.symbol);
    monitor.watch([c.symbol], step);
    for (const s of strategies) {
      const cp = o.store.readCheckpoint(s.name, c.symbol);
      const restored: RestoredLane = cp
        ? { state: cp.state, lastTimestamp: cp.lastTimestamp }
        : { state: IDLE_STATE, lastTimestamp: c.candle.timestamp - step };
      const outbox = cp?.events ?? NO_EVENTS;
      // With a changelog, only what it holds may be committed against: a checkpoint this node wrote to its own
      // store just before it crashed may never have reached it.
      const durable = cp === undefined ? -Infinity : replica === null ? cp.lastTimestamp : Math.min(cp.lastTimestamp, replica.logs(s.name, c.symbol));
      marks.set(key(s.name, c.symbol), { restored, durable, processed: restored.lastTimestamp, lane: null, events: outbox });
      monitor.restoreLane(s.name, c.symbol, restored.state);
      if (cp !== undefined) monitor.resumeAfter(c.symbol, cp.lastTimestamp);
      for (const e of outbox) emit(e);
    }
    if (warmup > 0) {
      // At or before every lane's resume point: they only fill the price history, no lane runs them again.
      for (const candle of o.store.candles.readCandles(c.symbol, c.interval, c.candle.timestamp - warmup * step, c.candle.timestamp)) {
        monitor.candle(c.symbol, candle.timestamp, true);
        into.next({ symbol: c.symbol, interval: c.interval, candle });
      }
    }
  };

  let stopped = false;
  /** Set while the last cut waits for the changelog: stops that wait. */
  let giveUp: (() => void) | null = null;
  /** The input of the current lanes chain. */
  let feed: Subscriber<SymbolCandle> | null = null;
  let lanes: Subscription | null = null;
  let account: EquityTracker | undefined;
  /** Each set-up symbol's partition, to tell which symbols a rebalance took away. */
  const partitionOf = new Map<string, number>();
  /** Symbols taken away by a rebalance whose lanes the current chain still holds (stale: another node advanced them). */
  const dropped = new Set<string>();
  // Owned here rather than by the lanes' chain: on `stop` the lanes must finish and the last cut be committed
  // through this consumer before it leaves the group.
  let reading: Subscription | null = null;
  const leave = () => {
    reading?.unsubscribe();
    reading = null;
    void writer?.close();
    void replica?.stop();
  };
  const fail = (err: unknown) => {
    leave();
    out.error(err);
  };

  // A fresh lane book and price history: every symbol is set up again from the store when its next candle comes.
  const startLanes = () => {
    // The node's account (SEMANTICS §12), continued from the store's last cut like its lanes.
    account = new EquityTracker({ money: config, config, curve: false, late: 'clamp' }, () => {}, o.store.readAccount?.());
    monitor.watchAccount(account);
    lanes = new Observable<SymbolCandle>((into) => {
      feed = into;
    })
      .pipe(
        averagePrice(config),
        runLanes(strategies, config, {
          account,
          restore: (strategy, symbol) => marks.get(key(strategy, symbol))?.restored,
          after: [checkpoint],
          // Draining or detaching: no new signals.
          paused: () => stopping.mode !== null,
          mode: 'live',
          scheduler: o.scheduler,
          gate,
        }),
      )
      .subscribe({
        next: emit,
        error: fail,
        complete: () => {
          // Every queued step went through: record how far each lane got, commit it (once the changelog has it),
          // then leave the group.
          try {
            cut();
          } catch (err) {
            fail(err);
            return;
          }
          // A second stop request stops waiting (the broker may be gone for good): only what the changelog has is
          // committed either way, so the next owner re-reads the rest.
          const gaveUp = new Promise<void>((resolve) => (giveUp = resolve));
          void Promise.race([writer?.flush() ?? Promise.resolve(), gaveUp]).then(() => {
            commitDurable();
            leave();
            out.complete();
          });
        },
      });
  };

  // A rebalance took these symbols away: stop checkpointing (and committing) them at once, or the next cut would
  // overwrite their new owner's checkpoints with this node's stale lanes. With a changelog, no candle of the new
  // assignment runs before the standby copy holds what the partitions' previous owners had committed.
  const onAssign = (partitions: readonly number[]) => {
    const owned = new Set(partitions);
    for (const symbol of [...symbols]) {
      if (owned.has(partitionOf.get(symbol)!)) continue;
      symbols.delete(symbol);
      for (const s of strategies) marks.delete(key(s.name, symbol));
      monitor.forget(symbol);
      dropped.add(symbol);
    }
    if (replica !== null) {
      gate.hold();
      void replica.caughtUp().then(() => gate.release());
    }
  };

  // A dropped symbol is back: its lanes in the chain are stale. Checkpoint the others, then start the chain afresh
  // (every symbol restored from the store, history from the candle cache). No step of the old chain is lost: the
  // source emits a candle only while the shared gate is open, and the lanes hold it while a strategy thinks.
  const rebuild = () => {
    cut();
    lanes?.unsubscribe();
    symbols.clear();
    marks.clear();
    dropped.clear();
    sinceCut = 0;
    startLanes();
  };

  const finish = () => {
    if (stopped) return giveUp?.();
    stopped = true;
    // After the step being processed has released all its events.
    queueMicrotask(() => feed?.complete());
  };
  monitor.setPhase('running');
  const stopping = new StopControl(o.stop, monitor, finish);
  replica?.start();
  startLanes();
  const source = kafkaCandles({ ...o.kafka, gate, onError: o.onError, onAssign });
  // Every record that cannot be used is skipped by the source; what fails here is the node's own machinery (the
  // store): the node stops with that error rather than throwing into the consumer, which would re-read the record
  // for ever.
  const onCandle = (c: KafkaCandle) => {
    if (stopped || feed === null) return;
    if (wanted !== null && !wanted.has(c.symbol)) return c.ack();
    if (dropped.has(c.symbol)) rebuild();
    const into = feed;
    if (!symbols.has(c.symbol)) {
      partitionOf.set(c.symbol, c.origin.partition);
      setUp(c, into);
    }
    const candle: Candle = c.candle;
    cache?.add(c.symbol, c.interval, candle);
    // Still goes on when every lane has it checkpointed (re-read after a crash or a rebalance): the lanes skip
    // it, but the price history needs it. Its offset may be committed at once.
    if (candle.timestamp <= ackable(c.symbol)) source.commit(c.symbol, candle.timestamp);
    monitor.candle(c.symbol, candle.timestamp, false);
    into.next({ symbol: c.symbol, interval: c.interval, candle });
  };
  reading = source.subscribe({
    next: (c) => {
      try {
        onCandle(c);
      } catch (err) {
        fail(err);
      }
    },
    error: (err: unknown) => fail(err),
  });

  stopping.started();

  return () => {
    stopping.dispose();
    lanes?.unsubscribe();
    leave();
  };
}
