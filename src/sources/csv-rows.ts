import { ByteWindow } from './byte-window.js';
import { csvColumns, parseNumber, parseTime, type CsvColumns } from './candle-fields.js';
import { MORE, OTHER, ROW } from './json-rows.js';
import { scanNumber } from './number-bytes.js';

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

const utf8 = new TextDecoder();

/**
 * Reads a candle CSV straight from the file's bytes, one record per {@link next}: the header by name (as
 * {@link csvRowReader} does), then each line's six columns parsed in place — numbers without a string, epoch-ms
 * times as digits; only an ISO time or an odd number is decoded to text, to be read by the same rules as the text
 * reader. At anything it does not read — a quote, a record of the wrong width — it stops at the start of that line
 * and says {@link OTHER}: the text reader ({@link CsvStream}) takes over from {@link line} with the {@link header},
 * and names any fault as it always has.
 *
 * @example
 * ```ts
 * const rows = new CsvCandleRows();
 * rows.feed(Buffer.from('time,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n'));
 * rows.next() === ROW; // rows.timestamp 1704067200000, … rows.rowLine 2
 * ```
 */
export class CsvCandleRows extends ByteWindow {
  /** The line of the byte at the read position. */
  line = 1;
  /** The header's fields, once read. */
  header: string[] | null = null;
  private columns: CsvColumns | null = null;
  timestamp: number | string = 0;
  open: number | string | undefined = 0;
  high: number | string | undefined = 0;
  low: number | string | undefined = 0;
  close: number | string | undefined = 0;
  volume: number | string | undefined = 0;
  /** The line the last record was on. */
  rowLine = 1;
  private readonly number = { value: 0 };

  /**
   * The next record: {@link ROW}, {@link MORE} (the line is unfinished; with `atEnd`, the input is done and nothing
   * is left) or {@link OTHER}. Throws the header's error (a missing column) as the text reader would.
   */
  next(atEnd = false): number {
    const buf = this.buf;
    const end = this.end;
    for (;;) {
      const from = this.pos;
      if (from >= end) return MORE;
      let lf = from;
      let quoted = false;
      for (; lf < end; lf++) {
        const c = buf[lf]!;
        if (c === LF) break;
        if (c === QUOTE) quoted = true;
      }
      if (lf >= end && !atEnd) return MORE;
      if (quoted) return OTHER;
      const stop = lf > from && buf[lf - 1] === CR ? lf - 1 : lf;
      if (this.columns === null) {
        const fields = utf8.decode(buf.subarray(from, stop)).split(',');
        if (fields.length === 1 && fields[0]!.trim() === '') {
          this.skip(lf);
          continue;
        }
        this.columns = csvColumns(fields, this.line);
        this.header = fields;
        this.skip(lf);
        continue;
      }
      const r = this.record(from, stop);
      if (r === OTHER) return OTHER;
      if (r === MORE) {
        this.skip(lf);
        continue;
      }
      this.rowLine = this.line;
      this.skip(lf);
      return ROW;
    }
  }

  private skip(lf: number): void {
    this.pos = lf + 1;
    this.line++;
  }

  /** The fields of the line `from..stop`: ROW, MORE for a blank line, OTHER for a record of the wrong width. */
  private record(from: number, stop: number): number {
    const { t, o, h, l, c, v, width } = this.columns!;
    const buf = this.buf;
    let field = 0;
    let start = from;
    for (let i = from; ; i++) {
      if (i < stop && buf[i] !== COMMA) continue;
      if (field === t) this.timestamp = this.time(start, i);
      else if (field === o) this.open = this.price(start, i);
      else if (field === h) this.high = this.price(start, i);
      else if (field === l) this.low = this.price(start, i);
      else if (field === c) this.close = this.price(start, i);
      else if (field === v) this.volume = this.price(start, i);
      field++;
      start = i + 1;
      if (i >= stop) break;
    }
    if (field === width) return ROW;
    if (field === 1) {
      let k = from;
      while (k < stop && isBlank(buf[k]!)) k++;
      if (k === stop) return MORE;
    }
    return OTHER;
  }

  /** A price or volume: a JSON-shaped number in place; anything else by the text reader's rule. */
  private price(a: number, b: number): number | string | undefined {
    const buf = this.buf;
    while (a < b && isBlank(buf[a]!)) a++;
    while (b > a && isBlank(buf[b - 1]!)) b--;
    if (a === b) return parseNumber(utf8.decode(this.buf.subarray(a, b)));
    // The byte after the field (a comma, CR, LF or blank) ends the number; at the very end of the input there is none.
    if (b < this.end && scanNumber(buf, a, b + 1, this.number) === b) return this.number.value;
    return parseNumber(utf8.decode(buf.subarray(a, b)));
  }

  /** Epoch ms when the field is digits only; anything else (ISO-8601) by the text reader's rule. */
  private time(a: number, b: number): number | string {
    const buf = this.buf;
    let value = 0;
    let digits = b - a <= 15;
    for (let k = a; k < b && digits; k++) {
      const d = buf[k]! - 0x30;
      if (d < 0 || d > 9) digits = false;
      else value = value * 10 + d;
    }
    return digits && b > a ? value : parseTime(utf8.decode(buf.subarray(a, b)));
  }
}
