import type { Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { Config } from '../core/config.js';
import { backtest } from '../pipelines/backtest.js';
import type { TimeRange } from '../pipelines/timerange.js';
import { checkGeneratedCode } from './allow-list.js';
import { extractModule } from './extract.js';
import { loadSandboxedStrategy, SandboxRejection, type RejectionKind, type SandboxedStrategy, type SandboxOptions } from './sandboxed-strategy.js';

/** A response that passed every check, its strategy running in its sandbox (the caller closes it). */
export interface Accepted {
  readonly verdict: 'accepted';
  readonly hash: string;
  readonly code: string;
  readonly sandbox: SandboxedStrategy;
  /** Signals the smoke run opened (a strategy that never trades is still accepted: the study judges it). */
  readonly smokeSignals: number;
}

export interface Rejected {
  readonly verdict: 'rejected';
  /** sha256 of the extracted code; null when there was no code. */
  readonly hash: string | null;
  readonly code: string | null;
  readonly kind: RejectionKind;
  readonly reasons: readonly string[];
}

export type Screened = Accepted | Rejected;

export interface ScreenOptions {
  /** Candles for the smoke run. */
  readonly source: Observable<SymbolCandle>;
  /** The smoke run's small slice (inside data the model was shown). */
  readonly smokeRange: TimeRange;
  readonly config: Config;
  readonly sandbox?: SandboxOptions;
}

/**
 * Everything between an LLM answer and a strategy the study may run: extract the module, check it against the
 * allow-list, load it in its sandbox (export checked with the strategy schema), and backtest it on a small slice.
 * Any `error` event of the smoke run (a throw, an invalid signal, a budget overrun) rejects it with that message.
 */
export async function screenResponse(response: string, options: ScreenOptions): Promise<Screened> {
  const extracted = extractModule(response);
  if (!extracted.ok) return { verdict: 'rejected', hash: null, code: null, kind: 'extract', reasons: [extracted.reason] };
  const code = extracted.code;
  const checked = await checkGeneratedCode(code);
  if (!checked.ok) return { verdict: 'rejected', hash: checked.hash, code, kind: 'allow-list', reasons: checked.reasons };
  let sandbox: SandboxedStrategy;
  try {
    sandbox = await loadSandboxedStrategy(checked.script, options.sandbox);
  } catch (err) {
    if (!(err instanceof SandboxRejection)) throw err;
    return { verdict: 'rejected', hash: checked.hash, code, kind: err.kind, reasons: [err.message] };
  }
  const errors: string[] = [];
  let signals = 0;
  await new Promise<void>((resolve, reject) => {
    backtest({ source: options.source, strategies: [sandbox.strategy], config: options.config, timerange: options.smokeRange }).subscribe({
      next: (e) => {
        if (e.action === 'error') errors.push(e.message);
        else if (e.action === 'opened' || e.action === 'scheduled') signals++;
      },
      error: reject,
      complete: resolve,
    });
  });
  const failure = sandbox.failure();
  if (failure !== null || errors.length > 0) {
    await sandbox.close();
    const reasons = failure !== null ? [failure.message] : [`smoke run: ${errors[0]!}${errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : ''}`];
    const kind: RejectionKind = failure?.kind ?? (/invalid signal/.test(errors[0]!) ? 'invalid-signal' : /threw|rejected/.test(errors[0]!) ? 'threw' : 'smoke');
    return { verdict: 'rejected', hash: checked.hash, code, kind, reasons };
  }
  return { verdict: 'accepted', hash: checked.hash, code, sandbox, smokeSignals: signals };
}
