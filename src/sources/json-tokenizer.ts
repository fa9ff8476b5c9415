import { TextSyntaxError } from './syntax-error.js';

// What the innermost open container expects next.
const VALUE_OR_CLOSE = 0; // just after '['
const VALUE = 1; // after ',' in an array or ':' in an object
const COMMA_OR_CLOSE = 2; // after a value
const KEY_OR_CLOSE = 3; // just after '{'
const KEY = 4; // after ',' in an object
const COLON = 5; // after a key

interface Container {
  /** The top-level array: its elements are handed out, not kept. */
  readonly top: boolean;
  readonly items: unknown[] | null;
  readonly obj: Record<string, unknown> | null;
  key: string;
  expect: number;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function isNumberChar(c: number): boolean {
  // 0-9 . + - e E
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45;
}

// Words are read whole, so a bad one (NaN, Infinity, True) is reported as such, not by its first letter.
function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function show(c: number): string {
  return c < 0x20 ? `character U+${c.toString(16).padStart(4, '0')}` : `'${String.fromCharCode(c)}'`;
}

/**
 * Strict incremental parser of one JSON array, character by character, handing out each element as soon as it is
 * complete with the line it starts on. Chunks may split anywhere (an unfinished token is carried over). It is
 * exact about where input is malformed; {@link JsonArrayStream} is the fast reader and calls on it to locate errors.
 *
 * @example
 * ```ts
 * const p = new JsonTokenizer((value, line) => console.log(line, value));
 * p.feed('[[1, 2],\n[3, ');
 * p.feed('4]]');
 * p.end(); // logs 1 [1, 2] then 2 [3, 4]
 * ```
 */
export class JsonTokenizer {
  private elementLine = 1;
  private readonly stack: Container[] = [];
  private started = false;
  private finished = false;
  private carry = '';

  constructor(
    private readonly onElement: (value: unknown, line: number) => void,
    /** Line of the first character fed (when re-reading a piece of a file). */
    private line = 1,
  ) {}

  /** Parse the next piece of text; throws {@link TextSyntaxError} on malformed JSON. */
  feed(chunk: string): void {
    const text = this.carry === '' ? chunk : this.carry + chunk;
    this.carry = '';
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++;
      } else if (c === 0x0a) {
        this.line++;
        i++;
      } else if (c === 0x22) {
        let j = i + 1;
        let escaped = false;
        for (; j < n; j++) {
          const d = text.charCodeAt(j);
          if (escaped) escaped = false;
          else if (d === 0x5c) escaped = true;
          else if (d === 0x22) break;
          else if (d < 0x20) throw this.error(`${show(d)} inside a string (unterminated string?)`);
        }
        if (j >= n) {
          // The string continues in the next chunk: rescan it whole then (tokens never hold a newline).
          this.carry = text.slice(i);
          return;
        }
        this.string(text.slice(i, j + 1));
        i = j + 1;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        let j = i + 1;
        while (j < n && isNumberChar(text.charCodeAt(j))) j++;
        if (j >= n) {
          this.carry = text.slice(i);
          return;
        }
        const raw = text.slice(i, j);
        if (!NUMBER.test(raw)) throw this.error(`invalid number '${raw}'`);
        this.scalar(Number(raw), `number ${raw}`);
        i = j;
      } else if (isLetter(c)) {
        let j = i + 1;
        while (j < n && isLetter(text.charCodeAt(j))) j++;
        if (j >= n) {
          this.carry = text.slice(i);
          return;
        }
        const word = text.slice(i, j);
        if (word === 'true') this.scalar(true, word);
        else if (word === 'false') this.scalar(false, word);
        else if (word === 'null') this.scalar(null, word);
        else throw this.unexpected(`'${word}'`);
        i = j;
      } else {
        this.punctuation(c);
        i++;
      }
    }
  }

  /** The input is complete: throws if the array is unfinished or there was none. */
  end(): void {
    if (this.carry !== '') {
      // A number or word at the very end of the input is complete now.
      this.feed(' ');
      if (this.carry !== '') throw this.error('unterminated string at end of input');
    }
    if (!this.started) throw this.error("empty input, expected a JSON array '['");
    if (!this.finished) throw this.error(`unexpected end of input, expected ${this.expected()}`);
  }

  private error(reason: string): TextSyntaxError {
    return new TextSyntaxError(`invalid JSON: ${reason}`, this.line);
  }

  private expected(): string {
    const top = this.stack[this.stack.length - 1];
    if (!top) return this.finished ? 'end of input' : "'['";
    const close = top.obj ? "'}'" : "']'";
    switch (top.expect) {
      case VALUE_OR_CLOSE:
        return `a value or ${close}`;
      case VALUE:
        return 'a value';
      case COMMA_OR_CLOSE:
        return `',' or ${close}`;
      case KEY_OR_CLOSE:
        return `a key or ${close}`;
      case KEY:
        return 'a key';
      default:
        return "':'";
    }
  }

  private unexpected(what: string): TextSyntaxError {
    return this.error(`unexpected ${what}, expected ${this.expected()}`);
  }

  /** The innermost container, checked to be expecting a value. */
  private valueSlot(what: string): Container {
    const top = this.stack[this.stack.length - 1];
    if (!top || (top.expect !== VALUE && top.expect !== VALUE_OR_CLOSE)) throw this.unexpected(what);
    return top;
  }

  private place(top: Container, value: unknown): void {
    if (top.top) this.onElement(value, this.elementLine);
    else if (top.items) top.items.push(value);
    else if (top.key === '__proto__') Object.defineProperty(top.obj, top.key, { value, enumerable: true, writable: true });
    else top.obj![top.key] = value;
    top.expect = COMMA_OR_CLOSE;
  }

  private scalar(value: unknown, what: string): void {
    const top = this.valueSlot(what);
    if (top.top) this.elementLine = this.line;
    this.place(top, value);
  }

  private string(raw: string): void {
    let value: string;
    try {
      value = JSON.parse(raw) as string;
    } catch {
      throw this.error(`invalid escape in string ${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}`);
    }
    const top = this.stack[this.stack.length - 1];
    if (top?.obj && (top.expect === KEY || top.expect === KEY_OR_CLOSE)) {
      top.key = value;
      top.expect = COLON;
      return;
    }
    this.scalar(value, 'a string');
  }

  private punctuation(c: number): void {
    const top = this.stack[this.stack.length - 1];
    switch (c) {
      case 0x5b: // [
      case 0x7b: {
        // {
        const isArray = c === 0x5b;
        if (!this.started && isArray) {
          this.started = true;
          this.stack.push({ top: true, items: null, obj: null, key: '', expect: VALUE_OR_CLOSE });
          return;
        }
        const parent = this.valueSlot(show(c));
        if (parent.top) this.elementLine = this.line;
        this.stack.push({
          top: false,
          items: isArray ? [] : null,
          obj: isArray ? null : (Object.create(null) as Record<string, unknown>),
          key: '',
          expect: isArray ? VALUE_OR_CLOSE : KEY_OR_CLOSE,
        });
        return;
      }
      case 0x5d: // ]
      case 0x7d: {
        // }
        const isArray = c === 0x5d;
        const closes = isArray ? top && !top.obj && (top.expect === VALUE_OR_CLOSE || top.expect === COMMA_OR_CLOSE) : top?.obj && (top.expect === KEY_OR_CLOSE || top.expect === COMMA_OR_CLOSE);
        if (!closes) throw this.unexpected(show(c));
        this.stack.pop();
        if (top!.top) {
          this.finished = true;
          return;
        }
        this.place(this.stack[this.stack.length - 1]!, top!.items ?? top!.obj);
        return;
      }
      case 0x2c: // ,
        if (!top || top.expect !== COMMA_OR_CLOSE) throw this.unexpected("','");
        top.expect = top.obj ? KEY : VALUE;
        return;
      case 0x3a: // :
        if (!top || top.expect !== COLON) throw this.unexpected("':'");
        top.expect = VALUE;
        return;
      default:
        throw this.unexpected(show(c));
    }
  }
}
