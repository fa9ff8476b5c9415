import { TextSyntaxError } from './syntax-error.js';

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a '"' inside a quoted field: closes it, or starts an escaped '""'

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

function stripCr(field: string): string {
  return field.charCodeAt(field.length - 1) === CR ? field.slice(0, -1) : field;
}

/**
 * Incremental CSV tokenizer (RFC 4180: comma separated, `"` quoting with `""` escapes, LF or CRLF line ends) that
 * hands out each record with the line it starts on. Chunks may split anywhere, including inside a quoted field or
 * a CRLF. Blank lines are skipped.
 *
 * @example
 * ```ts
 * const p = new CsvStream((fields, line) => console.log(line, fields));
 * p.feed('time,open\n2024-01-01,1');
 * p.feed('.5\n');
 * p.end(); // logs 1 ['time', 'open'] then 2 ['2024-01-01', '1.5']
 * ```
 */
export class CsvStream {
  private line = 1;
  private recordLine = 1;
  private inRecord = false;
  private state = FIELD_START;
  private field = '';
  private fields: string[] = [];

  constructor(
    private readonly onRecord: (fields: string[], line: number) => void,
    /** Line of the first character fed (when a reader that read the start of the input hands over). */
    line = 1,
  ) {
    this.line = line;
    this.recordLine = line;
  }

  /** The line being read (after {@link end}: one past the last line). */
  get currentLine(): number {
    return this.line;
  }

  /** Tokenize the next piece of text; throws {@link TextSyntaxError} on malformed CSV. */
  feed(text: string): void {
    const n = text.length;
    let i = 0;
    let quote = -1; // position of the next '"' at or after i (n: none), found lazily
    while (i < n) {
      if (!this.inRecord) {
        // Fast path: a whole line ahead without a quote is split natively instead of char by char.
        const lf = text.indexOf('\n', i);
        if (lf >= 0) {
          if (quote < i) {
            quote = text.indexOf('"', i);
            if (quote < 0) quote = n;
          }
          if (quote > lf) {
            const end = lf > i && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
            const line = this.line++;
            const fields = text.slice(i, end).split(',');
            i = lf + 1;
            if (fields.length > 1 || fields[0]!.trim() !== '') this.onRecord(fields, line);
            continue;
          }
        }
        this.inRecord = true;
        this.recordLine = this.line;
      }
      switch (this.state) {
        case FIELD_START: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.state = QUOTED;
            i++;
          } else if (c === COMMA) {
            this.fields.push('');
            i++;
          } else if (c === LF) {
            this.endRecord('');
            i++;
          } else {
            this.state = UNQUOTED;
          }
          break;
        }
        case UNQUOTED: {
          let j = i;
          let c = 0;
          while (j < n) {
            c = text.charCodeAt(j);
            if (c === COMMA || c === LF || c === QUOTE) break;
            j++;
          }
          this.field += text.slice(i, j);
          i = j;
          if (j === n) break;
          if (c === QUOTE) throw new TextSyntaxError(`invalid CSV: '"' inside an unquoted field`, this.line);
          const field = this.field;
          this.field = '';
          this.state = FIELD_START;
          i++;
          if (c === COMMA) this.fields.push(field);
          else this.endRecord(stripCr(field));
          break;
        }
        case QUOTED: {
          let j = text.indexOf('"', i);
          if (j < 0) j = n;
          for (let k = text.indexOf('\n', i); k >= 0 && k < j; k = text.indexOf('\n', k + 1)) this.line++;
          this.field += text.slice(i, j);
          i = j;
          if (j < n) {
            this.state = QUOTE_IN_QUOTED;
            i++;
          }
          break;
        }
        default: {
          const c = text.charCodeAt(i);
          i++;
          if (c === QUOTE) {
            this.field += '"';
            this.state = QUOTED;
          } else if (c === COMMA || c === LF) {
            const field = this.field;
            this.field = '';
            this.state = FIELD_START;
            if (c === COMMA) this.fields.push(field);
            else this.endRecord(field);
          } else if (c !== CR) {
            throw new TextSyntaxError(`invalid CSV: '${String.fromCharCode(c)}' after the closing quote of a field`, this.line);
          }
        }
      }
    }
  }

  /** The input is complete: hands out a last record without a line end; throws on an unterminated quote. */
  end(): void {
    if (this.state === QUOTED) {
      throw new TextSyntaxError('invalid CSV: unterminated quoted field at end of input', this.recordLine);
    }
    if (this.inRecord) {
      const field = this.state === UNQUOTED ? stripCr(this.field) : this.field;
      this.field = '';
      this.state = FIELD_START;
      this.endRecord(field);
    }
  }

  private endRecord(last: string): void {
    const fields = this.fields;
    fields.push(last);
    this.fields = [];
    this.inRecord = false;
    const line = this.recordLine;
    this.line++; // every caller but end() has just consumed the record's line feed
    if (fields.length === 1 && fields[0]!.trim() === '') return;
    this.onRecord(fields, line);
  }
}
