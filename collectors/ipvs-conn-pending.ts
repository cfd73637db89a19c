import { MAX_LINE } from './field-ranges.js';

/**
 * The unfinished last line of the chunks read so far, copied out of its chunk: a line's start in one chunk and its
 * end in the next are joined here, never the chunks. It keeps at most the first MAX_LINE + 1 bytes: a longer line is
 * garbage, and its sample is its first 200. One buffer for the whole read, made with the first line cut by a chunk.
 */
export class PendingLine {
  bytes = Buffer.alloc(0);
  /** A view of `bytes` for word reads. */
  view: DataView = new DataView(new ArrayBuffer(0));
  /** Bytes held (0: no line pending). */
  length = 0;
  /** The line has outgrown MAX_LINE: what it held past that was dropped. */
  overlong = false;

  /** Add b[start..end) to the line, as much as it holds. */
  add(b: Uint8Array, start: number, end: number): void {
    if (this.bytes.length === 0) {
      this.bytes = Buffer.alloc(MAX_LINE + 1);
      this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    }
    const n = Math.min(end - start, this.bytes.length - this.length);
    this.bytes.set(new Uint8Array(b.buffer, b.byteOffset + start, n), this.length);
    this.length += n;
    if (this.length > MAX_LINE) this.overlong = true;
  }

  /** The line's length, leaving it empty (its bytes stay until the next add). */
  take(): number {
    const n = this.length;
    this.length = 0;
    return n;
  }
}
