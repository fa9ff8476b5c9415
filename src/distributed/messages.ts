import { z } from 'zod';
import { IntervalSchema } from '../core/intervals.js';

/** Default topic names of a distributed study. */
export const TRIALS_TOPIC = 'tickflow-trials';
export const RESULTS_TOPIC = 'tickflow-results';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in hex');

/** The candles a batch needs: every worker must hold exactly these (same symbols, interval, span and bytes). */
export const DataSpecSchema = z.strictObject({
  symbols: z.array(z.string().min(1)).min(1),
  interval: IntervalSchema,
  /** Open time of the first candle (inclusive) … one past the last candle's open time (exclusive). */
  from: z.number().int().nonnegative(),
  to: z.number().int().positive(),
  /** sha256 of the candles in merged order (see data-hash.ts). */
  sha256: Sha256Schema,
});
export type DataSpec = z.output<typeof DataSpecSchema>;

const ParamsSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

/** One message of the trials topic: candidates a worker evaluates together in one pass of the candles. */
export const TrialBatchSchema = z.strictObject({
  v: z.literal(1),
  study: z.string().min(1),
  /** The batch's place in the study (its key with `study`). */
  batch: z.number().int().nonnegative(),
  /** The strategy module every worker loads: its path there, and the sha256 of its content (a different file is refused). */
  strategy: z.strictObject({ path: z.string().min(1), sha256: Sha256Schema }),
  /** The resolved engine config (fees, slippage, …). */
  config: z.record(z.string(), z.unknown()),
  timerange: z.strictObject({ from: z.number().int().nullable(), to: z.number().int().nullable() }).nullable(),
  data: DataSpecSchema,
  trials: z.array(z.strictObject({ id: z.number().int().positive(), name: z.string().min(1), params: ParamsSchema })).min(1),
});
export type TrialBatch = z.output<typeof TrialBatchSchema>;

const CandidateResultSchema = z.strictObject({
  statistics: z.record(z.string(), z.unknown()),
  closed: z.array(z.record(z.string(), z.unknown())),
  errors: z.number().int().nonnegative(),
});

/** One message of the results topic, keyed `study/trialId`: a trial's result, or why the worker refused its batch. */
export const TrialResultSchema = z.discriminatedUnion('ok', [
  z.strictObject({ v: z.literal(1), study: z.string(), batch: z.number().int(), trial: z.number().int().positive(), name: z.string(), worker: z.string(), ok: z.literal(true), result: CandidateResultSchema }),
  z.strictObject({ v: z.literal(1), study: z.string(), batch: z.number().int(), trial: z.number().int().positive(), name: z.string(), worker: z.string(), ok: z.literal(false), error: z.string() }),
]);
export type TrialResult = z.output<typeof TrialResultSchema>;

export const resultKey = (study: string, trial: number): string => `${study}/${trial}`;

// JSON loses NaN, ±Infinity and -0 (statistics such as a profit factor without losses are Infinity): they travel as
// {"$n": "…"} so a worker's result is the very value a local run computes.
const SPECIAL = '$n';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { [SPECIAL]: Object.is(value, -0) ? '-0' : String(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === SPECIAL) {
      const s = (value as Record<string, unknown>)[SPECIAL];
      if (s === '-0') return -0;
      if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return Number(s);
    }
  }
  return value;
}

export function encodeMessage(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, replacer));
}

/** Decodes and validates one message; the error names the topic, partition, offset and the field. */
export function decodeMessage<S extends z.ZodType>(schema: S, bytes: Buffer | null, where: string): z.output<S> {
  if (bytes === null) throw new Error(`${where}: empty message`);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'), reviver);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${where}: ${issue.path.join('.') || 'message'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Partitions of the trials topic when tickflow creates it: the most workers that can share a study. */
export const TRIALS_PARTITIONS = 12;
