// Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line: a longer line
// is reported by its length and skipped, so a huge or newline-free input costs constant memory.

/** One line of input: its text, or (over the limit) how many bytes it had. Line numbers start at 1. */
export type RawLine = { line: number; text: string; tooLong?: undefined } | { line: number; text?: undefined; tooLong: number };

/** Feed chunks with `push`, then call `end`; each returns the lines completed so far. */
export class LineSplitter {
  readonly #max: number;
  #pieces: Buffer[] = [];
  #bytes = 0;
  #line = 0;

  constructor(maxLineBytes: number) {
    this.#max = maxLineBytes;
  }

  push(chunk: Buffer | string): RawLine[] {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: RawLine[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      const end = nl < 0 ? buf.length : nl;
      this.#add(buf.subarray(pos, end));
      if (nl < 0) break;
      out.push(this.#finish());
      pos = nl + 1;
    }
    return out;
  }

  end(): RawLine[] {
    return this.#bytes > 0 ? [this.#finish()] : [];
  }

  #add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#bytes += piece.length;
    if (this.#bytes <= this.#max) this.#pieces.push(piece);
    else this.#pieces = [];
  }

  #finish(): RawLine {
    const line = ++this.#line;
    const bytes = this.#bytes;
    const pieces = this.#pieces;
    this.#pieces = [];
    this.#bytes = 0;
    if (bytes > this.#max) return { line, tooLong: bytes };
    return { line, text: pieces.length === 1 ? pieces[0].toString('utf8') : Buffer.concat(pieces, bytes).toString('utf8') };
  }
}
