import { EXIT } from './exit-codes.js';

/**
 * The exit code of a completed run: a run with error events fails (exit 3, with a line on stderr saying so) unless
 * the user allowed errors; a strategy that throws on every call must not look like a success.
 */
export function reportRunErrors(errors: number, allowErrors: boolean): number {
  if (errors === 0 || allowErrors) return EXIT.ok;
  process.stderr.write(`tickflow: the run produced ${errors} error event${errors === 1 ? '' : 's'} (see the summary); exit code ${EXIT.strategyErrors} (--allow-errors to exit 0)\n`);
  return EXIT.strategyErrors;
}
