import type { Producer } from 'kafkajs';
import { z } from 'zod';
import type { FlowGate } from '../core/flow-gate.js';
import { parseOrThrow } from '../core/problems.js';

export class KafkaOptionsError extends Error {
  override readonly name = 'KafkaOptionsError';
}

/** Validate a Kafka function's options; every problem is listed, naming the key (like `resolveConfig`). */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  return parseOrThrow(schema, input, label, (line) => new KafkaOptionsError(line));
}

/** A function-valued option. */
export const fn = <F>(what: string) => z.custom<F>((f) => typeof f === 'function', `${what} must be a function`);

// Duck-typed rather than instanceof: the ESM and CJS builds each have their own FlowGate class.
export const GateSchema = z.custom<FlowGate>(
  (g) =>
    typeof g === 'object' &&
    g !== null &&
    typeof (g as FlowGate).hold === 'function' &&
    typeof (g as FlowGate).release === 'function' &&
    typeof (g as FlowGate).whenOpen === 'function',
  'gate must be a FlowGate',
);

export const ProducerSchema = z.custom<Producer>(
  (p) => typeof p === 'object' && p !== null && typeof (p as Producer).sendBatch === 'function',
  'producer must be a kafkajs Producer',
);
