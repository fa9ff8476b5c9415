import { Kafka, logLevel as LogLevel, Partitioners, type Producer } from 'kafkajs';
import { BrokersSchema, type Brokers } from './brokers.js';

export { BrokersSchema, type Brokers };

export interface KafkaClientOptions {
  readonly brokers: Brokers;
  readonly clientId?: string;
  /**
   * kafkajs's own logging (default: off). tickflow reports what matters itself — `error` events from the sink,
   * `onError` from the source — so the client's retry chatter stays quiet unless asked for.
   */
  readonly logLevel?: LogLevel;
}

export { LogLevel };

/** A kafkajs client for tickflow's sinks and sources. */
export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    brokers: BrokersSchema.parse(options.brokers),
    clientId: options.clientId ?? 'tickflow',
    logLevel: options.logLevel ?? LogLevel.NOTHING,
    // Fail a connection attempt fast; callers retry with their own backoff and report each failure.
    connectionTimeout: 3_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/**
 * The producer tickflow's sinks use: idempotent (the broker drops a batch it already has, so a retried send does not
 * duplicate) with one request in flight (what kafkajs needs to keep order under retries).
 *
 * kafkajs's idempotent default is to retry forever inside `send`, which would hide an outage. Bounded retries are
 * safe here because a failed send rolls its sequence numbers back and the caller re-sends the very same batch with
 * the same producer, so the broker still recognises a batch it had already written.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
}

/** An error as one line naming its cause chain, e.g. `KafkaJSNumberOfRetriesExceeded: … ← KafkaJSConnectionError`. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  let previous: string | undefined;
  for (let depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (e instanceof Error) {
      // kafkajs wraps with the same message (NumberOfRetriesExceeded ← ConnectionError): say it once.
      parts.push(e.message === previous ? e.name : `${e.name}: ${e.message}`);
      previous = e.message;
      const wrapped = e as { cause?: unknown; originalError?: unknown };
      const next = wrapped.cause ?? wrapped.originalError;
      if (next === e) break;
      e = next;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(' ← ');
}

/** Exponential backoff with a cap: 200 ms, 400 ms, … 5 s. Deterministic (no jitter): one client per pipeline. */
export function backoffMs(attempt: number, initialMs = 200, maxMs = 5_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}
