import { z } from 'zod';

export const RetryOptionsSchema = z.strictObject({
  /** Attempts after the first before giving up (history default 5; a live source never gives up). */
  maxRetries: z.number().int().nonnegative().optional(),
  /** Delay before the first retry; doubled each time (default 500 ms). */
  baseMs: z.number().nonnegative().optional(),
  /** Upper bound of the delay (default 30 s). */
  maxMs: z.number().nonnegative().optional(),
});

export type RetryOptions = z.input<typeof RetryOptionsSchema>;

/** Exponential backoff, bounded: `baseMs · 2^(attempt−1)`, at most `maxMs`. */
export function backoffMs(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms`, or at once when `signal` aborts (a source being unsubscribed must not linger). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Thrown out of a retry loop whose signal aborted: the consumer left, nobody is waiting for the answer. */
export class Aborted extends Error {
  override readonly name = 'Aborted';
}

export interface RetryHooks {
  /** Whether this failure is worth another attempt. */
  readonly retryable: (err: unknown) => boolean;
  /** Told about each failed attempt, with the delay before the next one (null: giving up). */
  readonly onFailure: (err: unknown, attempt: number, retryInMs: number | null) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, or `maxRetries` retries were spent; waits
 * {@link backoffMs} between attempts. The last error is rethrown when it gives up.
 */
export async function retrying<T>(attempt: () => Promise<T>, options: RetryOptions, hooks: RetryHooks): Promise<T> {
  const maxRetries = options.maxRetries ?? 5;
  for (let n = 1; ; n++) {
    if (hooks.signal?.aborted) throw new Aborted('source closed');
    try {
      return await attempt();
    } catch (err) {
      if (hooks.signal?.aborted) throw new Aborted('source closed');
      const again = hooks.retryable(err) && n <= maxRetries;
      const delay = again ? backoffMs(n, options) : null;
      hooks.onFailure(err, n, delay);
      if (delay === null) throw err;
      await sleep(delay, hooks.signal);
    }
  }
}
