import { CandleError } from '../core/candle.js';
import { ConfigError } from '../core/config.js';
import { StrategyError } from '../core/strategy.js';

/** A mistake in what the user gave us: reported as one line, exit code 2, never a stack trace. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** OS errors of paths and disks the user gave: a one-line message, never a stack trace. */
const FILE_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);

/** The OS error code of `err` or of an error it wraps (`cause`), e.g. a failed write of events. */
function errnoCode(err: Error): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) return code;
  }
  return undefined;
}

export function isUserError(err: unknown): err is Error {
  if (err instanceof UserError || err instanceof CandleError || err instanceof ConfigError || err instanceof StrategyError) {
    return true;
  }
  if (!(err instanceof Error)) return false;
  const code = errnoCode(err);
  return (code !== undefined && FILE_CODES.has(code)) || (err as { userError?: boolean }).userError === true;
}
