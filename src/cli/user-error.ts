import { CandleError } from '../core/candle.js';
import { ConfigError } from '../core/config.js';
import { StrategyError } from '../core/strategy.js';

/** A mistake in what the user gave us: reported as one line, exit code 2, never a stack trace. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

const FILE_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM']);

export function isUserError(err: unknown): err is Error {
  if (err instanceof UserError || err instanceof CandleError || err instanceof ConfigError || err instanceof StrategyError) {
    return true;
  }
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && FILE_CODES.has(code)) || (err as { userError?: boolean }).userError === true;
}
