import { isoTime } from '../core/time.js';

/** A one-line progress bar on a TTY stream; silent elsewhere so logs and pipes stay clean. */
export class ProgressBar {
  private lastDraw = -1;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly total: number | null,
  ) {}

  static for(out: NodeJS.WriteStream, enabled: boolean, total: number | null): ProgressBar | null {
    return enabled && out.isTTY ? new ProgressBar(out, total) : null;
  }

  update(processed: number, now: number): void {
    const width = 30;
    if (this.total !== null && this.total > 0) {
      const ratio = Math.min(1, processed / this.total);
      const pct = Math.floor(ratio * 100);
      if (pct === this.lastDraw) return;
      this.lastDraw = pct;
      const filled = Math.round(ratio * width);
      this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${processed.toLocaleString('en-US')} candles ${isoTime(now).slice(0, 16)}`);
    } else {
      this.out.write(`\r${processed.toLocaleString('en-US')} candles ${isoTime(now).slice(0, 16)}`);
    }
  }

  done(): void {
    this.out.write('\r\x1b[K');
  }
}
