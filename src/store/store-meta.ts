import { z } from 'zod';
import { IntervalSchema, type Interval } from '../core/intervals.js';

export const META_VERSION = 1;

/** What a store records about the node that writes it, under the key `interval`: the candles its lanes run on. */
export const IntervalRecordSchema = z.strictObject({ version: z.literal(META_VERSION), interval: IntervalSchema });

/** The store belongs to a node of another kind: using it would resume lanes on candles they never saw. */
export class StoreMismatchError extends Error {
  override readonly name = 'StoreMismatchError';
  readonly userError = true;
}

/** The error for a store written at `stored` reopened by a node running `wanted`. */
export function intervalMismatch(path: string, stored: Interval, wanted: Interval): StoreMismatchError {
  return new StoreMismatchError(
    `store ${path} was written by a node on ${stored} candles; this node runs on ${wanted}: give it another store (its lanes, checkpoints and cached candles are ${stored})`,
  );
}
