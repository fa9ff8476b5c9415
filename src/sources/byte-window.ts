/**
 * The bytes a row reader scans: each chunk of the file as it comes, with the unfinished row of the chunk before joined
 * in front of it. The join goes into one scratch array reused from chunk to chunk: a row is cut at nearly every
 * chunk's end, and a fresh array each time would be garbage the size of the chunk.
 */
export class ByteWindow {
  protected buf: Uint8Array = new Uint8Array(0);
  private scratch: Uint8Array = new Uint8Array(0);
  /** The next unread byte. */
  pos = 0;
  protected end = 0;

  /** The next bytes of the input; an unfinished row is kept in front of them. */
  feed(bytes: Uint8Array): void {
    // A Buffer is a Uint8Array of another class: both kinds here would make every byte read polymorphic.
    const chunk = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    const rest = this.end - this.pos;
    if (rest === 0) {
      this.buf = chunk;
    } else {
      const need = rest + chunk.length;
      let scratch = this.scratch;
      if (scratch.length < need) {
        scratch = new Uint8Array(Math.max(need, 2 * scratch.length));
        scratch.set(this.buf.subarray(this.pos, this.end), 0);
        this.scratch = scratch;
      } else if (this.buf.buffer === scratch.buffer) {
        // the previous join: it starts at the scratch's first byte
        scratch.copyWithin(0, this.pos, this.end);
      } else {
        scratch.set(this.buf.subarray(this.pos, this.end), 0);
      }
      scratch.set(chunk, rest);
      this.buf = scratch.subarray(0, need);
    }
    this.pos = 0;
    this.end = this.buf.length;
  }

  /** The bytes not read yet (for the text reader that takes over). */
  rest(): Uint8Array {
    return this.buf.subarray(this.pos, this.end);
  }
}
