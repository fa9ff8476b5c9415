/**
 * Malformed text met by a streaming tokenizer, at a 1-based line. Tokenizers know lines but not file names; the
 * file reader turns this into a {@link CandleFileError} that names both.
 */
export class TextSyntaxError extends Error {
  override readonly name = 'TextSyntaxError';
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * A candle file that cannot be read or parsed. One line of text naming the file (and line), fit for the CLI to
 * print as is; `userError` tells the CLI it is the user's input, not a bug.
 */
export class CandleFileError extends Error {
  override readonly name = 'CandleFileError';
  readonly userError = true;
  constructor(
    message: string,
    readonly path: string,
    readonly line?: number,
    /** The OS error code (ENOENT, EACCES…) when the file could not be read. */
    readonly code?: string,
  ) {
    super(message);
  }
}
