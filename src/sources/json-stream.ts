import type { JsonPhase } from './json-rows.js';
import { JsonTokenizer } from './json-tokenizer.js';
import { TextSyntaxError } from './syntax-error.js';

// Where the scanner is, between the elements of the top-level array.
const BEFORE = 0; // expecting '['
const FIRST = 1; // after '[': an element or ']'
const ELEMENT = 2; // inside an element
const AFTER = 3; // after an element: ',' or ']'
const NEXT = 4; // after ',': an element
const DONE = 5; // after the closing ']'

const PHASES: Record<JsonPhase, number> = { before: BEFORE, first: FIRST, after: AFTER, next: NEXT, done: DONE };

/** Inside an element, outside strings, the only characters that change the scan. */
const STRUCTURE = /[[\]{}"\n]/g;

const EXPECTED = ["'['", "a value or ']'", 'the rest of the element', "',' or ']'", 'a value', 'end of input'];

function show(c: number): string {
  return c < 0x20 ? `character U+${c.toString(16).padStart(4, '0')}` : `'${String.fromCharCode(c)}'`;
}

/**
 * Incremental reader of one JSON array that hands out each element with the line it starts on, as soon as the
 * chunk holding its end arrives. Fast: a light scan finds where elements start and end (brackets, strings, lines)
 * and the engine's native `JSON.parse` reads all complete elements of a chunk in one call. Chunks may split
 * anywhere: an unfinished element is carried over. When `JSON.parse` rejects a chunk, the strict
 * {@link JsonTokenizer} re-reads it to hand out the good elements before the fault and name its exact line.
 *
 * @example
 * ```ts
 * const p = new JsonArrayStream((value, line) => console.log(line, value));
 * p.feed('[[1, 2],\n[3, ');
 * p.feed('4]]');
 * p.end(); // logs 1 [1, 2] then 2 [3, 4]
 * ```
 */
export class JsonArrayStream {
  private line = 1;
  private phase = BEFORE;
  // Inside an element:
  private depth = 0;
  private inString = false;
  private escaped = false;
  private elementLine = 1;
  /** Text of the unfinished element carried over from the previous chunk. */
  private pending = '';

  constructor(
    private readonly onElement: (value: unknown, line: number) => void,
    /** Where a reader that read the start of the input left off (see {@link JsonCandleRows}). */
    from?: { readonly phase: JsonPhase; readonly line: number },
  ) {
    if (from !== undefined) {
      this.phase = PHASES[from.phase];
      this.line = from.line;
    }
  }

  /** Read the next piece of text; throws {@link TextSyntaxError} on malformed JSON. */
  feed(chunk: string): void {
    const text = this.pending === '' ? chunk : this.pending + chunk;
    const n = text.length;
    let i = this.pending.length;
    this.pending = '';
    let elementStart = this.phase === ELEMENT ? 0 : -1;
    let batchStart = elementStart;
    let batchEnd = -1;
    const lines: number[] = [];
    let { line, phase, depth, inString, escaped } = this;

    for (; i < n; i++) {
      let c = text.charCodeAt(i);
      if (phase === ELEMENT) {
        if (depth > 0 && !inString) {
          // Jump over numbers, commas and spaces with the native regex scanner: only these characters matter.
          STRUCTURE.lastIndex = i;
          if (!STRUCTURE.test(text)) break;
          i = STRUCTURE.lastIndex - 1;
          c = text.charCodeAt(i);
        }
        let end = -1;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) {
            inString = false;
            if (depth === 0) end = i + 1;
          } else if (c === 0x0a) line++;
        } else if (c === 0x22) {
          inString = true;
        } else if (c === 0x5b || c === 0x7b) {
          depth++;
        } else if (c === 0x5d || c === 0x7d) {
          if (depth === 0) end = i; // a scalar element ends at the array's ']'
          else if (--depth === 0) end = i + 1;
        } else if (c === 0x0a) {
          if (depth === 0) end = i;
          else line++;
        } else if (depth === 0 && (c === 0x2c || c === 0x20 || c === 0x09 || c === 0x0d)) {
          end = i; // a scalar element (number, true, false, null) ends at a delimiter
        }
        if (end >= 0) {
          lines.push(this.elementLine);
          batchEnd = end;
          phase = AFTER;
          if (end === i) i--; // the delimiter is read again, between elements
        }
        continue;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
      if (c === 0x0a) {
        line++;
        continue;
      }
      if (phase === AFTER && c === 0x2c) {
        phase = NEXT;
      } else if ((phase === AFTER || phase === FIRST) && c === 0x5d) {
        phase = DONE;
      } else if (phase === BEFORE && c === 0x5b) {
        phase = FIRST;
      } else if ((phase === FIRST || phase === NEXT) && c !== 0x2c && c !== 0x5d) {
        phase = ELEMENT;
        elementStart = i;
        if (batchStart < 0) batchStart = i;
        this.elementLine = line;
        depth = c === 0x5b || c === 0x7b ? 1 : 0;
        inString = c === 0x22;
        escaped = false;
      } else {
        this.line = line;
        this.flush(text, batchStart, batchEnd, lines);
        throw new TextSyntaxError(`invalid JSON: unexpected ${show(c)}, expected ${EXPECTED[phase]}`, line);
      }
    }

    this.line = line;
    this.phase = phase;
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.flush(text, batchStart, batchEnd, lines);
    if (phase === ELEMENT) this.pending = text.slice(elementStart);
  }

  /** The input is complete: throws if the array is unfinished or there was none. */
  end(): void {
    // A number or word at the very end of the input is complete once something follows it.
    if (this.phase === ELEMENT && this.depth === 0 && !this.inString) this.feed(' ');
    if (this.phase === ELEMENT) {
      // Let the strict reader describe what is missing, at the right line.
      const strict = new JsonTokenizer(() => undefined, this.elementLine);
      strict.feed(`[${this.pending}`);
      strict.end();
    }
    if (this.phase === BEFORE) throw new TextSyntaxError("invalid JSON: empty input, expected a JSON array '['", this.line);
    if (this.phase !== DONE) {
      throw new TextSyntaxError(`invalid JSON: unexpected end of input, expected ${EXPECTED[this.phase]}`, this.line);
    }
  }

  /** Parse the complete elements of this chunk in one `JSON.parse`, or have the strict reader find the fault. */
  private flush(text: string, start: number, end: number, lines: number[]): void {
    if (lines.length === 0) return;
    const body = text.slice(start, end);
    let values: unknown[];
    try {
      values = JSON.parse(`[${body}]`) as unknown[];
    } catch {
      const strict = new JsonTokenizer(this.onElement, lines[0]);
      strict.feed(`[${body}`);
      throw new TextSyntaxError('invalid JSON: malformed element', lines[lines.length - 1]!);
    }
    for (let k = 0; k < values.length; k++) this.onElement(values[k], lines[k]!);
  }
}
