/**
 * The (service, real server) pair of a line by its tail. ipvsadm prints the virtual field, its padding and the
 * destination last, the same bytes on every line of a pair; once a line has shown whose group a tail is, a later
 * line with that tail finds the group by a hash and one compare, without reading the addresses again. Only tails of
 * lines that read whole are kept, so a tail found here reads as it did then. Fixed memory: past MAX_TAILS distinct
 * tails (or for a tail shorter than MIN_TAIL bytes or longer than TAIL_WORDS words) lines take the longer way, with
 * the same result.
 */

/** Tails kept: far more than the pairs a director has (a pair prints one tail unless its padding differs). */
const MAX_TAILS = 4096;
/** Longest tail kept, in 8-byte words: an IPv4 pair's is under 40 bytes, an IPv6 pair's may be twice that. */
const TAIL_WORDS = 8;
/** Shortest tail kept, a word: a pair's tail is 19 bytes at least (`0.0.0.0:0 0.0.0.0:0`). */
const MIN_TAIL = 8;
/** Twice MAX_TAILS, a power of two: the table is never more than half full. */
const TABLE_SIZE = 8192;
/** A tail's record, in 8-byte words: its head (hash, length and protocol, group as Int32s), then its words. */
const HEAD = 2;
const RECORD = HEAD + TAIL_WORDS;

/**
 * Tails are read and compared 8 bytes at a time, as Float64s (DataView reads are single loads once optimized): words
 * at 0, 8, 16, ... and the last at n - 8, overlapping the one before it, so the words cover every byte of the tail.
 * Two doubles are equal exactly when their bits are, but for NaN (never equal) and the two zeros (equal): a kept tail
 * is text that read as a pair, printable ASCII only, so none of its words is a NaN or a zero, and a line's word equals
 * a kept one only when its 8 bytes do. A tail's head and words sit side by side in one record: a line's look-up reads
 * its slot and one record, where an array per field cost a cache miss per array.
 */
export class TailCache {
  /** Open addressing by tail hash: slot holds the tail's index + 1 (0 free). */
  private readonly slots = new Int32Array(TABLE_SIZE);
  private readonly words = new Float64Array(MAX_TAILS * RECORD);
  /** The records' heads: at RECORD * 2 * t, tail t's hash, then its length * 256 + protocol, then its group. */
  private readonly heads = new Int32Array(this.words.buffer);
  private used = 0;

  /**
   * The group of a line of `protocol` whose tail is b[i..end) (v a view of b), or -1 when no line with that tail was
   * kept.
   */
  find(v: DataView, i: number, end: number, protocol: number): number {
    const n = end - i;
    if (n < MIN_TAIL || n > TAIL_WORDS * 8) return -1;
    const h = tailWordsHash(v, i, end, protocol);
    const shape = (n << 8) | protocol;
    const words = this.words;
    for (let k = h & (TABLE_SIZE - 1), at = this.slots[k]!; at !== 0; at = this.slots[k]!) {
      const r = (at - 1) * RECORD;
      if (this.heads[2 * r] === h && this.heads[2 * r + 1] === shape) {
        // Every word but the last, then the last (at n - 8): the record's words are laid out the same way.
        let w = 0;
        let x = r + HEAD;
        for (; w < n - 8 && words[x] === v.getFloat64(i + w, true); w += 8) x++;
        if (w >= n - 8 && words[x] === v.getFloat64(end - 8, true)) return this.heads[2 * r + 2]!;
      }
      k = (k + 1) & (TABLE_SIZE - 1);
    }
    return -1;
  }

  /** Keep that the tail b[i..end) (v a view of b) of a line of `protocol` is of group g (a line that read whole). */
  add(v: DataView, i: number, end: number, protocol: number, g: number): void {
    const n = end - i;
    if (n < MIN_TAIL || n > TAIL_WORDS * 8 || this.used >= MAX_TAILS) return;
    const h = tailWordsHash(v, i, end, protocol);
    let k = h & (TABLE_SIZE - 1);
    while (this.slots[k] !== 0) k = (k + 1) & (TABLE_SIZE - 1);
    const t = this.used++;
    this.slots[k] = t + 1;
    const r = t * RECORD;
    this.heads[2 * r] = h;
    this.heads[2 * r + 1] = (n << 8) | protocol;
    this.heads[2 * r + 2] = g;
    for (let w = 0, x = r + HEAD; w < n; w += 8, x++) this.words[x] = v.getFloat64(i + Math.min(w, n - 8), true);
  }
}

/**
 * A hash of a tail's length, protocol, bytes 8..11 (in the virtual address, its last octets) and last 8 bytes (the
 * destination's last octet and port): where the pairs of a director differ. Alike tails share a bucket; the compare
 * tells them apart.
 */
function tailWordsHash(v: DataView, i: number, end: number, protocol: number): number {
  const n = end - i;
  let h = Math.imul(((n << 8) | protocol) ^ v.getInt32(i + Math.min(8, n - 4), true), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ v.getInt32(end - 4, true), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ v.getInt32(Math.max(i, end - 8), true), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
