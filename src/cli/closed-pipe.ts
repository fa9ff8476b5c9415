/**
 * A reader that goes away (`tickflow backtest --events - | head`) closes our stdout: that ends its interest in the
 * output, it is not a failure of the run. Writes then fail with EPIPE, which these helpers turn into a quiet end.
 */
export function isClosedPipe(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = (e as Error).cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return true;
  }
  return false;
}

/**
 * Keeps a closed stdout or stderr from crashing the process with an unhandled 'error' event: EPIPE is ignored (the
 * command ends quietly when it notices), any other stream error becomes one line on stderr and exit code 1.
 */
export function guardStdio(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return;
      process.exitCode = 1;
      if (stream !== process.stderr && !process.stderr.destroyed) process.stderr.write(`tickflow: writing output failed: ${err.message}\n`);
    });
  }
}
