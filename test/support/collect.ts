import { lastValueFrom, toArray, type Observable } from 'rxjs';

/** Every value of a finite Observable. */
export function collect<T>(source: Observable<T>): Promise<T[]> {
  return lastValueFrom(source.pipe(toArray()), { defaultValue: [] as T[] });
}

/** Resolves once `condition()` holds, checking every `everyMs`; rejects after `timeoutMs` naming `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
