import { resolve } from 'node:path';
import type { Config } from '../core/config.js';
import type { BatchEvaluator } from '../pipelines/optimize.js';
import type { CandleSource } from '../sources/candle-source.js';
import { UserError } from './user-error.js';

/**
 * `--distributed`: the study's evaluator publishes its batches to the workers and waits for their results. The
 * batches name the candles by content (the coordinator's own data, hashed here) and the strategy module by its
 * absolute path and content hash.
 */
export async function distributedStudy(
  flags: { kafkaBrokers?: string[]; trialsTopic: string; resultsTopic: string; strategy?: string; workers: number },
  study: { source: CandleSource; config: Config },
): Promise<{ evaluate: BatchEvaluator; close: () => Promise<void> }> {
  const { dataSpecOf, fileSha256 } = await import('../distributed/data-hash.js');
  const { StudyCoordinator } = await import('../distributed/coordinator.js');
  const data = await dataSpecOf(study.source).catch((err: unknown) => {
    throw new UserError(`--distributed: ${(err as Error).message}`);
  });
  if (data === null) throw new UserError('--distributed: the study has no candles to send to the workers');
  const path = resolve(flags.strategy!);
  const coordinator = await StudyCoordinator.open({
    brokers: flags.kafkaBrokers!,
    trialsTopic: flags.trialsTopic,
    resultsTopic: flags.resultsTopic,
    strategy: { path, sha256: await fileSha256(path) },
    config: study.config,
    data,
    split: flags.workers,
  });
  return { evaluate: coordinator.evaluate, close: () => coordinator.close() };
}
