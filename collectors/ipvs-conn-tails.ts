/**
 * The (service, real server) pair of a line by its tail. ipvsadm prints the virtual field, its padding and the
 * destination last, the same bytes on every line of a pair; once a line has shown whose group a tail is, a later
 * line with that tail finds the group by a hash and one compare, without reading the addresses again. Only tails of
 * lines that read whole are kept, so a tail found here reads as it did then. Fixed memory: past MAX_TAILS distinct
 * tails (or for a tail shorter than a word or longer than MAX_TAIL) lines take the longer way, with the same result.
 */

/** Tails kept: far more than the pairs a director has (a pair prints one tail unless its padding differs). */
const MAX_TAILS = 4096;
/** Longest tail kept, in 4-byte words: an IPv4 pair's is under 40 bytes, an IPv6 pair's may be twice that. */
const TAIL_WORDS = 16;
/** Twice MAX_TAILS, a power of two: the table is never more than half full. */
const TABLE_SIZE = 8192;

/**
 * Tails are read and compared 4 bytes at a time (DataView reads are single loads once optimized): words at 0, 4, 8,
 * ... and the last at n - 4, overlapping the one before it, so the words cover every byte of the tail.
 */
export class TailCache {
  /** Open addressing by tail hash: slot holds the tail's index + 1 (0 free) and its hash. */
  private readonly slots = new Int32Array(TABLE_SIZE);
  private readonly hashes = new Int32Array(TABLE_SIZE);
  private readonly groups = new Int32Array(MAX_TAILS);
  private readonly protocols = new Int32Array(MAX_TAILS);
  private readonly lengths = new Int32Array(MAX_TAILS);
  private readonly words = new Int32Array(MAX_TAILS * TAIL_WORDS);
  private used = 0;
  /** A view of the bytes last looked at (a chunk serves many lines). */
  private bytes: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  /** The group of a line of `protocol` whose tail is b[i..end), or -1 when no line with that tail was kept. */
  find(b: Uint8Array, i: number, end: number, protocol: number): number {
    const n = end - i;
    if (n < 4 || n > TAIL_WORDS * 4) return -1;
    const v = this.viewOf(b);
    const h = tailWordsHash(v, i, end, protocol);
    for (let k = h & (TABLE_SIZE - 1), at = this.slots[k]!; at !== 0; at = this.slots[k]!) {
      const t = at - 1;
      if (this.hashes[k] === h && this.lengths[t] === n && this.protocols[t] === protocol && this.same(t, v, i, n))
        return this.groups[t]!;
      k = (k + 1) & (TABLE_SIZE - 1);
    }
    return -1;
  }

  /** Keep that the tail b[i..end) of a line of `protocol` is of group g (a line that read whole). */
  add(b: Uint8Array, i: number, end: number, protocol: number, g: number): void {
    const n = end - i;
    if (n < 4 || n > TAIL_WORDS * 4 || this.used >= MAX_TAILS) return;
    const v = this.viewOf(b);
    const h = tailWordsHash(v, i, end, protocol);
    let k = h & (TABLE_SIZE - 1);
    while (this.slots[k] !== 0) k = (k + 1) & (TABLE_SIZE - 1);
    const t = this.used++;
    this.slots[k] = t + 1;
    this.hashes[k] = h;
    this.groups[t] = g;
    this.protocols[t] = protocol;
    this.lengths[t] = n;
    for (let w = 0, at = t * TAIL_WORDS; w < n; w += 4, at++) this.words[at] = v.getInt32(i + Math.min(w, n - 4), true);
  }

  private viewOf(b: Uint8Array): DataView {
    if (b !== this.bytes) {
      this.bytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.view;
  }

  private same(t: number, v: DataView, i: number, n: number): boolean {
    const kept = this.words;
    let at = t * TAIL_WORDS;
    for (let w = 0; w < n - 4; w += 4, at++) if (kept[at] !== v.getInt32(i + w, true)) return false;
    return kept[at] === v.getInt32(i + n - 4, true);
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
