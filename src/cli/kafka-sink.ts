import { catchError, throwError, type MonoTypeOperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import type { FlowGate } from '../core/flow-gate.js';
import type { KafkaSinkFlags } from './kafka-flags.js';
import { UserError } from './user-error.js';

export interface CliKafkaSinkOptions {
  /** The gate passed to the pipeline too (`backtest({ gate })`, `live({ gate })`), so a full buffer pauses it. */
  readonly gate?: FlowGate;
  /** Told each failed attempt as one line; it also goes downstream as an `error` event. */
  readonly log: (line: string) => void;
}

/**
 * The Kafka sink the `--kafka-*` flags describe. kafkajs is imported here, only when the flags are given, so a
 * command without them never loads it. Progress ticks are not published (they depend on the terminal, not on the
 * run); everything else is, closed signals also to `--kafka-closed-topic`. When retries are exhausted the run fails
 * with one line naming the brokers, never a stack trace.
 *
 * @example
 * ```ts
 * const kafka = parseKafkaSinkFlags(values);
 * if (kafka) events$ = events$.pipe(await kafkaSink(kafka, { gate, log }));
 * ```
 */
export async function kafkaSink(flags: KafkaSinkFlags, options: CliKafkaSinkOptions): Promise<MonoTypeOperatorFunction<SignalEvent>> {
  const { toKafka, KafkaSinkError } = await import('../kafka.js');
  const all = [flags.topic];
  const closed = flags.closedTopic === undefined ? all : [flags.topic, flags.closedTopic];
  const none: string[] = [];
  const sink = toKafka({
    brokers: [...flags.brokers],
    route: (e) => (e.action === 'progress' ? none : e.action === 'closed' ? closed : all),
    gate: options.gate,
    maxRetries: flags.retries,
    onError: (event) => options.log(`kafka: ${event.message}`),
  });
  const brokers = flags.brokers.join(',');
  return (events$) =>
    events$.pipe(
      sink,
      catchError((err: unknown) =>
        throwError(() => (err instanceof KafkaSinkError ? new UserError(`--kafka-brokers ${brokers}: ${err.message}`, { cause: err }) : err)),
      ),
    );
}
