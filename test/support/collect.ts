import { lastValueFrom, toArray, type Observable } from 'rxjs';

/** Every value of a finite Observable. */
export function collect<T>(source: Observable<T>): Promise<T[]> {
  return lastValueFrom(source.pipe(toArray()), { defaultValue: [] as T[] });
}

/** Resolves once `condition()` holds, checking every `everyMs`; rejects after `timeoutMs` naming `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000, everyMs = 5): Promise<void> {
  await waitForValue(() => (condition() ? true : undefined), () => what, timeoutMs, everyMs);
}

/**
 * Resolves with the first value `probe()` gives that is not `undefined` (a probe may ask a process over HTTP), asking
 * again every `everyMs`; rejects after `timeoutMs` with `what()`, which may describe the last thing seen.
 */
export async function waitForValue<T>(probe: () => T | undefined | Promise<T | undefined>, what: () => string, timeoutMs = 10_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
