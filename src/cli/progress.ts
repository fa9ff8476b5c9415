import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isoTime } from '../core/time.js';

/**
 * How far a run has got: by candles out of a known or estimated total (demo data, candle files), or by the candle
 * time between the first and the last open time (the candle store, an exchange download).
 */
export type ProgressMeasure =
  | { readonly kind: 'count'; readonly total: number; /** The total is an estimate: the bar stops short of 100 %. */ readonly estimate?: boolean }
  | { readonly kind: 'span'; readonly from: number; readonly to: number };

const WIDTH = 30;
/** A redraw at most this often (ms) when the percentage did not change: the rate and ETA still move. */
const REDRAW_MS = 250;

/**
 * A one-line progress bar on a TTY stream — bar, percent, candles, rate, ETA and the candle time reached — silent
 * elsewhere so logs and pipes stay clean. Wall-clock time only feeds the rate and ETA shown, never a result.
 */
export class ProgressBar {
  private lastPct = -1;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly measure: ProgressMeasure | null,
    private readonly label = '',
  ) {}

  /** A bar on `out` when it is a terminal and progress is wanted; `total` is a candle count (or a measure). */
  static for(out: NodeJS.WriteStream, enabled: boolean, total: number | ProgressMeasure | null, label = ''): ProgressBar | null {
    const measure = typeof total === 'number' ? { kind: 'count' as const, total } : total;
    return enabled && out.isTTY ? new ProgressBar(out, measure, label) : null;
  }

  /** The fraction done after `processed` candles, the last of them opening or closing at `now`; null when unknown. */
  private ratio(processed: number, now: number): number | null {
    const m = this.measure;
    if (m === null) return null;
    if (m.kind === 'count') {
      if (m.total <= 0) return null;
      const r = processed / m.total;
      return m.estimate === true ? Math.min(0.99, r) : Math.min(1, r);
    }
    if (m.to <= m.from) return 1;
    return Math.max(0, Math.min(1, (now - m.from) / (m.to - m.from)));
  }

  update(processed: number, now: number): void {
    const ratio = this.ratio(processed, now);
    const pct = ratio === null ? -1 : Math.floor(ratio * 100);
    const wall = Date.now();
    if (pct === this.lastPct && wall - this.lastDraw < REDRAW_MS) return;
    this.lastPct = pct;
    this.lastDraw = wall;
    const elapsed = Math.max(1, wall - this.started) / 1000;
    const rate = processed / elapsed;
    const parts = [this.label, `${processed.toLocaleString('en-US')} candles`, `${formatRate(rate)}/s`];
    if (ratio !== null) {
      const filled = Math.round(ratio * WIDTH);
      parts.unshift(`[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(pct).padStart(3)}%`);
      if (ratio > 0 && ratio < 1) parts.push(`ETA ${formatDuration((elapsed * (1 - ratio)) / ratio)}`);
    }
    parts.push(isoTime(now).slice(0, 16));
    this.out.write(`\r${parts.filter((p) => p !== '').join(' ')}\x1b[K`);
  }

  /** Clears the line (the summary follows in its place). */
  done(): void {
    this.out.write('\r\x1b[K');
  }
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const SAMPLE_BYTES = 65_536;

/**
 * About how many candles the files hold, from each file's size and the bytes per candle in its first 64 KiB (rows
 * of a JSON array, objects, or CSV lines after the header). An estimate for the bar: null when a file cannot be read.
 */
export function estimateCandles(paths: readonly string[]): number | null {
  let total = 0;
  for (const path of paths) {
    let fd: number | undefined;
    try {
      const size = statSync(path).size;
      fd = openSync(path, 'r');
      const sample = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
      const n = readSync(fd, sample, 0, sample.length, 0);
      const text = sample.toString('latin1', 0, n);
      const first = text.trimStart()[0];
      const rows = first === '[' ? Math.max(count(text, '[') - 1, count(text, '{')) : count(text, '\n') - 1;
      if (rows <= 0) return null;
      total += n >= size ? rows : Math.round((size / n) * rows);
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return total;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}
