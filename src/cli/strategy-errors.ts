import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { Strategy, StrategyContext } from '../core/strategy.js';

/**
 * Remembers the first error a module's strategies threw or rejected with, to show where in the module it came from:
 * error events carry the message only. A strategy is wrapped, not changed: its own properties stay readable through
 * the wrapper and `this` in `getSignal` is the wrapper, whose prototype is the strategy.
 */
export class StrategyErrorTrace {
  private first: { error: unknown; file: string } | null = null;

  wrap(strategy: Strategy, path: string): Strategy {
    const file = resolve(path);
    const original = strategy.getSignal;
    const record = (error: unknown) => {
      if (this.first === null) this.first = { error, file };
    };
    const wrapper = Object.assign(Object.create(strategy) as Strategy, strategy, {
      getSignal(this: Strategy, ctx: StrategyContext) {
        try {
          const result = original.call(this, ctx);
          if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
            return Promise.resolve(result).then(undefined, (err: unknown) => {
              record(err);
              throw err;
            });
          }
          return result;
        } catch (err) {
          record(err);
          throw err;
        }
      },
    });
    return wrapper;
  }

  /** `file:line:column` of the first thrown error's innermost frame in its strategy module, if its stack has one. */
  location(): string | null {
    if (this.first === null) return null;
    const { error, file } = this.first;
    let stack = '';
    try {
      stack = error instanceof Error ? String(error.stack ?? '') : '';
    } catch {
      // A stack getter of the strategy's own that throws: no location.
    }
    for (const line of stack.split('\n')) {
      const m = /(file:\/\/\S+?|\/\S+?):(\d+):(\d+)\)?$/.exec(line.trim());
      if (m === null) continue;
      const path = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
      if (path === file) return `${path}:${m[2]}:${m[3]}`;
    }
    return null;
  }
}
