import { Worker } from 'node:worker_threads';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { Config } from '../core/config.js';
import type { Interval } from '../core/intervals.js';
import type { CandidateResult } from '../pipelines/optimize.js';
import type { TimeRange } from '../pipelines/timerange.js';
import type { ParamAssignment } from '../core/param-space.js';
import { UserError } from './user-error.js';

/** Doubles per candle in the shared buffers: timestamp, open, high, low, close, volume. */
export const CANDLE_FIELDS = 6;

/** One symbol's candles in memory every worker reads (never copied per worker). */
export interface SharedSeries {
  readonly symbol: string;
  readonly interval: Interval;
  readonly buffer: SharedArrayBuffer;
}

/** What a worker is started with. */
export interface PoolWorkerData {
  readonly tickflowWorker: 'optimize';
  readonly strategyPath: string;
  readonly config: Config;
  readonly series: readonly SharedSeries[];
}

export interface PoolRequest {
  readonly batch: readonly { readonly name: string; readonly params: ParamAssignment }[];
  readonly timerange: TimeRange | undefined;
}
export type PoolReply = { readonly ok: true; readonly results: [string, CandidateResult][] } | { readonly ok: false; readonly message: string };

/** Reads the source once into shared buffers, one per symbol. */
async function shareCandles(source: Observable<SymbolCandle>): Promise<SharedSeries[]> {
  const all = await lastValueFrom(source.pipe(toArray()));
  const bySymbol = new Map<string, { interval: Interval; rows: number[] }>();
  for (const c of all) {
    let entry = bySymbol.get(c.symbol);
    if (entry === undefined) bySymbol.set(c.symbol, (entry = { interval: c.interval, rows: [] }));
    const k = c.candle;
    entry.rows.push(k.timestamp, k.open, k.high, k.low, k.close, k.volume);
  }
  const intervals = new Set([...bySymbol.values()].map((e) => e.interval));
  if (intervals.size > 1) throw new UserError(`--workers needs candles of one interval (got ${[...intervals].join(', ')})`);
  return [...bySymbol].map(([symbol, { interval, rows }]) => {
    const buffer = new SharedArrayBuffer(rows.length * Float64Array.BYTES_PER_ELEMENT);
    new Float64Array(buffer).set(rows);
    return { symbol, interval, buffer };
  });
}

/**
 * `--workers N`: worker threads that each load the strategy module once and run their share of a batch over the
 * candles shared with them. A batch is split into N contiguous shares and the results are put back in batch order,
 * so the study is the same whatever N (a candidate's events do not depend on which candidates share its pass).
 */
export class CandidatePool {
  private constructor(private readonly workers: Worker[]) {}

  static async open(size: number, options: { strategyPath: string; config: Config; source: Observable<SymbolCandle>; script: string }): Promise<CandidatePool> {
    const series = await shareCandles(options.source);
    const data: PoolWorkerData = { tickflowWorker: 'optimize', strategyPath: options.strategyPath, config: options.config, series };
    return new CandidatePool(Array.from({ length: size }, () => new Worker(options.script, { workerData: data, argv: [] })));
  }

  /** The batch's results by name, in batch order. */
  async evaluate(batch: PoolRequest['batch'], timerange: TimeRange | undefined): Promise<Map<string, CandidateResult>> {
    const share = Math.ceil(batch.length / this.workers.length);
    const parts = this.workers.map((w, i) => ({ w, part: batch.slice(i * share, (i + 1) * share) })).filter((x) => x.part.length > 0);
    const replies = await Promise.all(parts.map(({ w, part }) => ask(w, { batch: part, timerange })));
    return new Map(replies.flat());
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function ask(worker: Worker, request: PoolRequest): Promise<[string, CandidateResult][]> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: PoolReply) => {
      cleanup();
      if (reply.ok) resolve(reply.results);
      else reject(new Error(`optimize worker: ${reply.message}`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`optimize worker exited (code ${code}) before answering`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}
