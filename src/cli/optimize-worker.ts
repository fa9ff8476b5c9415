import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../core/problems.js';
import { withParams } from '../core/strategy.js';
import { evaluateCandidates } from '../pipelines/optimize.js';
import { replayCandles } from '../sources/replay.js';
import { loadStrategies } from './load-module.js';
import { CANDLE_FIELDS, type PoolReply, type PoolRequest, type PoolWorkerData } from './optimize-pool.js';

/** The candles of one shared buffer as `[ts, o, h, l, c, v]` rows, read lazily (nothing copied up front). */
function* rows(buffer: SharedArrayBuffer): Generator<[number, number, number, number, number, number]> {
  const a = new Float64Array(buffer);
  for (let i = 0; i < a.length; i += CANDLE_FIELDS) yield [a[i]!, a[i + 1]!, a[i + 2]!, a[i + 3]!, a[i + 4]!, a[i + 5]!];
}

/** A worker of {@link CandidatePool}: loads the strategy once, then answers each batch share with its results. */
export async function runOptimizeWorker(): Promise<void> {
  const data = workerData as PoolWorkerData;
  const port = parentPort!;
  const [strategy] = await loadStrategies(data.strategyPath);
  const interval = data.series[0]?.interval ?? '1m';
  const source = () => replayCandles(Object.fromEntries(data.series.map((s) => [s.symbol, rows(s.buffer)])), { interval });
  port.on('message', (request: PoolRequest) => {
    const candidates = request.batch.map((c) => withParams(strategy!, c.params));
    evaluateCandidates(source(), candidates, data.config, request.timerange ?? undefined).then(
      (results) => port.postMessage({ ok: true, results: [...results] } satisfies PoolReply),
      (err: unknown) => port.postMessage({ ok: false, message: describeError(err) } satisfies PoolReply),
    );
  });
}
