import { afterEach } from 'vitest';

/**
 * Registers an `afterEach` that undoes, newest first, whatever the test deferred (stores, servers, subscriptions);
 * returns the `defer` to call with each cleanup.
 */
export function deferredCleanups(): (cleanup: () => Promise<void> | void) => void {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}
