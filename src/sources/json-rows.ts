import { ByteWindow } from './byte-window.js';
import { NUMBER_CUT, scanNumber } from './number-bytes.js';

/** Where the scan is in the top-level array (the phases of {@link JsonArrayStream}, which takes over from here). */
export type JsonPhase = 'before' | 'first' | 'after' | 'next' | 'done';

/** {@link JsonCandleRows.next}: a row was read (its fields and line are on the scanner). */
export const ROW = 0;
/** {@link JsonCandleRows.next}: the bytes ran out; feed the next chunk (or, at the end of the input, hand over). */
export const MORE = 1;
/** {@link JsonCandleRows.next}: something this fast path does not read: hand the bytes from `pos` over. */
export const OTHER = 2;

/**
 * Reads a JSON array of exchange rows `[ts, o, h, l, c, v, …numbers]` straight from the file's bytes: numbers go
 * into six fields without a string, an array or an element object being made, one row per {@link next} (so nothing
 * is parsed ahead of the consumer). It reads only that common shape; at anything else — an object, a string, a
 * malformed number, broken structure — it stops at the start of that element (or at the offending byte between
 * elements) and says {@link OTHER}: the strict text reader ({@link JsonArrayStream}, started at {@link phase} and
 * {@link line}) reads the rest and names any fault exactly as it always has.
 *
 * @example
 * ```ts
 * const rows = new JsonCandleRows();
 * rows.feed(Buffer.from('[[1704067200000, 1, 2, 0.5, 1.5, 10]]'));
 * rows.next() === ROW; // rows.timestamp 1704067200000, rows.open 1, … rows.rowLine 1
 * ```
 */
export class JsonCandleRows extends ByteWindow {
  /** The line of the byte at {@link pos}. */
  line = 1;
  phase: JsonPhase = 'before';
  timestamp = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
  /** The line the last row started on. */
  rowLine = 1;
  private readonly number = { value: 0 };

  next(): number {
    const buf = this.buf;
    const end = this.end;
    let i = this.pos;
    let line = this.line;
    for (;;) {
      // Whitespace between tokens; only line feeds count.
      let c = 0;
      for (; i < end; i++) {
        c = buf[i]!;
        if (c === 0x0a) line++;
        else if (c !== 0x20 && c !== 0x0d && c !== 0x09) break;
      }
      this.pos = i;
      this.line = line;
      if (i >= end) return MORE;
      const phase = this.phase;
      if (phase === 'after') {
        if (c === 0x2c) this.phase = 'next';
        else if (c === 0x5d) this.phase = 'done';
        else return OTHER;
        i++;
        continue;
      }
      if (phase === 'before') {
        if (c !== 0x5b) return OTHER;
        this.phase = 'first';
        i++;
        continue;
      }
      if (phase === 'done') return OTHER;
      if (phase === 'first' && c === 0x5d) {
        this.phase = 'done';
        i++;
        continue;
      }
      if (c !== 0x5b) return OTHER;
      const r = this.row(i + 1, line);
      if (r < 0) return r === -2 ? MORE : OTHER;
      this.rowLine = line;
      this.phase = 'after';
      this.pos = r;
      return ROW;
    }
  }

  /**
   * The row whose '[' is just before `at`: its fields set, and the index after its ']'; -1 when it is not a row
   * of numbers (or is malformed), -2 when the bytes end inside it. Lines inside the row are counted into
   * {@link line} only once it is read whole.
   */
  private row(at: number, line: number): number {
    const buf = this.buf;
    const end = this.end;
    const number = this.number;
    let i = at;
    for (let field = 0; ; field++) {
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c === 0x0a) line++;
        else if (c !== 0x20 && c !== 0x0d && c !== 0x09) break;
      }
      if (i >= end) return -2;
      const after = scanNumber(buf, i, end, number);
      if (after < 0) return after === NUMBER_CUT ? -2 : -1;
      i = after;
      switch (field) {
        case 0:
          this.timestamp = number.value;
          break;
        case 1:
          this.open = number.value;
          break;
        case 2:
          this.high = number.value;
          break;
        case 3:
          this.low = number.value;
          break;
        case 4:
          this.close = number.value;
          break;
        case 5:
          this.volume = number.value;
          break;
        default:
        // values after the sixth are ignored (exchanges append close time or trade count)
      }
      let c = 0;
      for (; i < end; i++) {
        c = buf[i]!;
        if (c === 0x0a) line++;
        else if (c !== 0x20 && c !== 0x0d && c !== 0x09) break;
      }
      if (i >= end) return -2;
      i++;
      if (c === 0x5d) {
        // Fewer than six values: the text reader builds the element and the candle check names what is missing.
        if (field < 5) return -1;
        this.line = line;
        return i;
      }
      if (c !== 0x2c) return -1;
    }
  }
}
