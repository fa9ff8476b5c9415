/**
 * The exit codes of `tickflow backtest` and `walker` (documented in their `--help` and the README): scripts tell a
 * clean run from a run whose strategy failed, and both from a mistake in the command or a bug.
 */
export const EXIT = {
  /** The run completed without error events (or `--allow-errors` was given); also when stdout was closed early. */
  ok: 0,
  /** A bug in tickflow: the message carries a stack trace. */
  internal: 1,
  /** A mistake in the command or its inputs (flags, files, modules, config): one line, nothing written. */
  usage: 2,
  /** The run completed, but strategies produced error events (thrown, rejected or invalid signals). */
  strategyErrors: 3,
} as const;

export const EXIT_CODES_HELP = `exit codes: 0 done; 1 internal error; 2 a mistake in the command or its inputs (one line, no output files left);
            3 the run completed but produced error events (a strategy threw or returned an invalid signal; the summary
            shows the count and the first error) — give --allow-errors to exit 0 anyway`;
