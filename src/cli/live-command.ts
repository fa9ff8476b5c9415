import { Subject, type Observable } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import { isoTime } from '../core/time.js';
import { LiveMonitor } from '../pipelines/live-monitor.js';
import type { StopMode } from '../pipelines/live-options.js';
import { appendJsonLines } from '../sinks/json-lines-file.js';
import { writeJsonLines } from '../sinks/json-lines.js';
import { LIVE_USAGE, parseLiveFlags } from './live-args.js';
import { liveLog, logEvents, onPhaseChange } from './live-log.js';
import { checkStorePath, storeOpenError } from './store-path.js';
import { startStatusServer, type StatusServer } from './live-http.js';
import { lockStore } from './live-lock.js';
import { loadLiveModule } from './live-module.js';
import { UserError } from './user-error.js';
import { FlowGate } from '../core/flow-gate.js';
import { kafkaSink } from './kafka-sink.js';

/** SIGTERM/SIGINT: the first stops as `--detach` says, a second detaches at once. */
function onSignals(detach: boolean, monitor: LiveMonitor, stop: Subject<StopMode>, log: (line: string) => void): () => void {
  let seen = 0;
  const handler = (signal: NodeJS.Signals) => {
    seen++;
    if (seen === 1 && !detach) {
      log(
        `${signal}: draining — no new signals; monitoring ${monitor.openPositions} open position(s) and ` +
          `${monitor.scheduledSignals} scheduled signal(s) until they resolve (${signal} again to detach)`,
      );
      stop.next('drain');
    } else {
      log(`${signal}: detaching — open positions stay in the store for the next start`);
      stop.next('detach');
    }
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

/** `tickflow live …`: runs the node until it is stopped; returns the exit code. */
export async function liveCommand(argv: readonly string[]): Promise<number> {
  const flags = parseLiveFlags(argv);
  if (flags.help) {
    process.stdout.write(`${LIVE_USAGE}\n`);
    return 0;
  }
  const node = await loadLiveModule(flags.config!);
  // Loaded only here: a backtest never pays for the live pipeline or lmdb.
  const [{ openStore }, { live }] = await Promise.all([import('../lmdb.js'), import('../pipelines/live.js')]);
  checkStorePath(node.store);
  const unlock = lockStore(node.store);
  // Errors and trades go to stderr as they happen: an operator tailing the log sees them without parsing events.
  const log = liveLog();
  const monitor = new LiveMonitor();
  const stop = new Subject<StopMode>();
  let store: ReturnType<typeof openStore> | undefined;
  let http: StatusServer | undefined;
  let offSignals = () => undefined as void;
  try {
    try {
      store = openStore({
        path: node.store,
        onQuarantine: (q) => log(`quarantined unreadable ${q.db} record ${JSON.stringify(q.key)}: ${q.reason}`),
      });
    } catch (err) {
      throw storeOpenError(node.store, err);
    }
    if (flags.http !== undefined) {
      try {
        http = await startStatusServer(flags.http, monitor);
      } catch (err) {
        throw new UserError(`--http ${flags.http}: ${(err as Error).message}`);
      }
      log(`status on http://127.0.0.1:${http.port} (/healthz, /metrics)`);
    }
    offSignals = onSignals(flags.detach, monitor, stop, log);
    const sinks = [logEvents(log), ...(node.sinks ?? [])];
    let started = false;
    onPhaseChange(monitor, (phase) => {
      if (phase === 'warming-up' || phase === 'running') started = true;
    });
    // Shared with the Kafka sink, so a full producer buffer pauses the candle source instead of growing.
    const gate = new FlowGate();
    if (flags.kafka) sinks.push(await kafkaSink(flags.kafka, { gate, log }));
    // Last, so the file holds what went through every sink; synchronous, so a crash never loses a line written.
    if (flags.events !== undefined) sinks.push(flags.events === '-' ? writeJsonLines(process.stdout) : appendJsonLines(flags.events));
    const strategies = node.strategyList;
    let events$: Observable<SignalEvent>;
    if (node.kafka !== undefined) {
      const source = node.kafka;
      const { liveFromKafka, ensureChangelogTopic, describeKafkaError } = await import('../kafka.js');
      if (source.changelog !== undefined) {
        try {
          await ensureChangelogTopic({ brokers: source.brokers, topic: source.changelog, like: source.topic });
        } catch (err) {
          throw new UserError(`kafka ${source.brokers.join(',')}: cannot create the changelog topic ${source.changelog}: ${describeKafkaError(err)}`, { cause: err });
        }
      }
      onPhaseChange(monitor, (phase) => {
        if (phase === 'running') log(`running: candles from Kafka topic ${source.topic} (group ${source.groupId}), ${strategies.map((s) => s.name).join(', ')}`);
      });
      events$ = liveFromKafka({
        kafka: { brokers: source.brokers, topic: source.topic, groupId: source.groupId, fromBeginning: source.fromBeginning, sessionTimeout: source.sessionTimeout, interval: node.interval, deadLetterTopic: source.deadLetterTopic },
        changelog: source.changelog === undefined ? undefined : { topic: source.changelog, nodeId: source.nodeId },
        symbols: node.symbols,
        strategies,
        store,
        config: node.config,
        sinks,
        gate,
        warmupCandles: node.warmupCandles,
        monitor,
        stop,
        onError: (p) => log(`kafka: ${p.message}`),
      });
    } else {
      const symbols = node.symbols!;
      const exchange = node.exchange!;
      onPhaseChange(monitor, (phase) => {
        if (phase === 'warming-up') {
          log(`resumed ${strategies.length * symbols.length} lane(s): ${monitor.openPositions} open position(s), ${monitor.scheduledSignals} scheduled signal(s); warming up`);
        } else if (phase === 'running') {
          log(`running: ${symbols.join(', ')} ${node.interval} on ${exchange.id}, ${strategies.map((s) => s.name).join(', ')}`);
        }
      });
      events$ = live({
        exchange,
        symbols,
        interval: node.interval,
        strategies,
        risk: node.riskList.length > 0 ? node.riskList : undefined,
        store,
        config: node.config,
        sinks,
        gate,
        pollMs: node.pollMs,
        since: node.since,
        warmupCandles: node.warmupCandles,
        monitor,
        stop,
      });
    }
    await new Promise<void>((resolve, reject) => events$.subscribe({ error: reject, complete: resolve }));
    if (!started) {
      log('stopped during start-up, before any lane was restored: the store is as it was');
      return 0;
    }
    const last = Object.entries(monitor.status().symbols)
      .map(([s, v]) => `${s} ${v.lastCandle === null ? 'none' : isoTime(v.lastCandle)}`)
      .join(', ');
    log(`stopped (${monitor.openPositions} open position(s) left in the store); last candles: ${last}`);
    return 0;
  } finally {
    offSignals();
    await http?.close();
    await store?.close();
    unlock();
  }
}
