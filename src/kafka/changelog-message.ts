import type { Message } from 'kafkajs';
import { z } from 'zod';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointRecordSchema, describeIssues, type LaneCheckpoint } from '../store/records.js';
import type { CheckpointEntry, StoredCheckpoint } from '../store/types.js';

/**
 * A lane checkpoint as a record of the changelog topic: the same versioned record the store keeps on disk, plus
 * the lane it belongs to. Keyed by lane (`symbol|strategy`, like the events), so a compacted topic keeps exactly
 * the newest checkpoint of every lane.
 */
export const ChangelogMessageSchema = z.strictObject({
  strategy: z.string().min(1),
  symbol: z.string().min(1),
  checkpoint: CheckpointRecordSchema,
});

export class ChangelogMessageError extends Error {
  override readonly name = 'ChangelogMessageError';
}

export function changelogKey(strategy: string, symbol: string): string {
  return `${symbol}|${strategy}`;
}

export function changelogMessage(entry: CheckpointEntry): Message {
  const { state, lastTimestamp, events } = entry.checkpoint;
  const checkpoint: LaneCheckpoint = { version: CHECKPOINT_VERSION, state, lastTimestamp, events };
  return {
    key: changelogKey(entry.strategy, entry.symbol),
    value: JSON.stringify({ strategy: entry.strategy, symbol: entry.symbol, checkpoint }),
  };
}

/** Parse and validate a changelog record; `at` names it (topic, partition, offset) in errors. */
export function parseChangelogMessage(value: Buffer | string | null, at: string): StoredCheckpoint {
  if (value === null) throw new ChangelogMessageError(`${at}: empty changelog record (null value)`);
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    throw new ChangelogMessageError(`${at}: changelog record is not JSON (${(err as Error).message})`);
  }
  // A record of an older format (written before an upgrade) is migrated like the store's own.
  const parsed = ChangelogMessageSchema.extend({ checkpoint: z.unknown() }).safeParse(json);
  if (!parsed.success) throw new ChangelogMessageError(`${at}: not a lane checkpoint: ${describeIssues(parsed.error)}`);
  const checkpoint = CHECKPOINT_FORMAT.read(parsed.data.checkpoint);
  if (!checkpoint.ok) throw new ChangelogMessageError(`${at}: not a lane checkpoint: ${checkpoint.reason}`);
  return { strategy: parsed.data.strategy, symbol: parsed.data.symbol, checkpoint: checkpoint.value } as StoredCheckpoint;
}
