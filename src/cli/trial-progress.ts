/** Where the bar is drawn: a terminal stream (process.stderr) or, in tests, anything with `write`. */
export interface ProgressOutput {
  write(text: string): unknown;
}

const WIDTH = 30;

/** `42s`, `3m 05s`, `2h 07m`: an ETA short enough for one line. */
export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One line of study progress: `[####------]  12/40 trials  3.2 trials/s  ETA 9s`. Without a known total: the count
 * and rate only. Rate and ETA appear once some time has passed and a trial is done (a rate of 0 trials in 0 s means
 * nothing).
 *
 * @example
 * ```ts
 * trialProgressLine(12, 40, 4000); // '[#########---------------------]  12/40 trials  3.0 trials/s  ETA 9s'
 * ```
 */
export function trialProgressLine(done: number, total: number | null, elapsedMs: number): string {
  const rate = elapsedMs > 0 && done > 0 ? (done * 1000) / elapsedMs : null;
  const speed = rate === null ? '' : `  ${rate.toFixed(rate < 10 ? 1 : 0)} trials/s`;
  if (total === null || total <= 0) return `${done} trials${speed}`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * WIDTH);
  const eta = rate === null ? '' : `  ETA ${formatEta(((total - Math.min(done, total)) / rate) * 1000)}`;
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(done).padStart(String(total).length)}/${total} trials${speed}${eta}`;
}

/**
 * The progress of `optimize` and `walk-forward` on a terminal: trials done of the total, rate and ETA, redrawn in
 * place on one line and erased at the end. Like the candle {@link import('./progress.js').ProgressBar} it is drawn
 * only on a TTY (see {@link TrialProgress.for}), so pipes, files and reports never see it.
 */
export class TrialProgress {
  private readonly started: number;

  constructor(
    private readonly out: ProgressOutput,
    private readonly clock: () => number = Date.now,
  ) {
    this.started = clock();
  }

  /** A bar on `out` when it is a terminal, else null (nothing drawn). */
  static for(out: NodeJS.WriteStream): TrialProgress | null {
    return out.isTTY === true ? new TrialProgress(out) : null;
  }

  update(done: number, total: number | null): void {
    this.out.write(`\r${trialProgressLine(done, total, this.clock() - this.started)}\x1b[K`);
  }

  done(): void {
    this.out.write('\r\x1b[K');
  }
}
