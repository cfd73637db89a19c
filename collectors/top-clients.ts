/**
 * The heaviest clients of one real server in fixed memory: filtered space-saving (Homem and Carvalho, "Finding top-k
 * elements in data streams", 2010), the space-saving summary (Metwally, Agrawal, El Abbadi, 2005) behind a filter.
 * It keeps `SLOTS` counters and FILTER cells; a client not held is counted in its cell (by a hash of its key), which so
 * bounds the count of every client not held that maps to it. Only when a line takes a cell's bound past the smallest
 * held count does its client take that slot, with the bound + 1 as its count and the bound as its possible
 * over-count (`error`); the client it displaces leaves its count in its own cell. A held client's true count lies in
 * [count - error, count]. Plain space-saving gives every new client a slot and the smallest count as its error: on a
 * server with hundreds of clients, slots then change hands on most lines and the listed counts are mostly error. On
 * the bench's million-entry table (bench/results/top-clients-filter.json) it listed the heaviest client first for 342
 * of 800 servers, mean error 70; filtered, 759 of 800, mean error 2, at the same cost per line. A million
 * connections cost the same few hundred bytes (and 1 KiB of filter) per real server as ten.
 *
 * Keys are numbers so the walk over a line builds no string: an IPv4 address is its 32-bit value, an IPv6 address
 * 2^32 plus a 52-bit hash of its text (the text itself is kept only while the address holds a slot).
 */

/** Counters per real server: enough that the top few are exact unless no client stands out. */
export const SLOTS = 16;

export interface ClientCount {
  readonly address: string;
  /** Connections counted for this client; at most `error` more than the true number. */
  readonly count: number;
  readonly error: number;
}

/**
 * The summaries of every real server of a read side by side, a group (real server) by its index: a group's slots
 * are one stretch of one array, not objects of their own. A line's count then touches a few cache lines at a known
 * offset instead of a chain of objects per group (a million lines spread over hundreds of groups miss the cache on
 * nearly every line, and each pointer followed is another miss).
 */
export class TopClientsTable {
  private groups = 0;
  /**
   * Per group, one block of BLOCK bytes, seen through three views: the slots' keys (Float64), their counts and errors
   * (Int32: a read counts at most 10,000,000 lines), then BUCKETS counts of keys held per bucket of their hash (an
   * empty bucket shows a key is not held). Five cache lines a group, where a line's count touches one or two.
   */
  private keys = new Float64Array(0);
  private ints = new Int32Array(0);
  private bytes = new Uint8Array(0);
  /** Per group: slots used, and once all are, a bit per slot holding the smallest count (the lowest is replaced). */
  private used = new Int32Array(0);
  private minSlots = new Int32Array(0);
  /** IPv6 slots' text by group * SLOTS + slot (IPv4 text is made from the key when asked). */
  private readonly texts = new Map<number, string>();
  /** Per slot, 1 while `texts` holds its text: most slots never do, and a Map lookup per new slot is not free. */
  private hasText = new Uint8Array(0);
  /** Per group, FILTER cells: each bounds the count of every client not held whose key maps to it. */
  private filter = new Int32Array(0);

  /** Make room for groups 0..n-1 (doubling, so a read of many groups copies little). */
  grow(n: number): void {
    if (n <= this.groups) return;
    const groups = Math.max(n, 2 * this.groups, 16);
    const grown = <T extends Uint8Array | Int32Array>(old: T, fresh: T): T => (fresh.set(old), fresh);
    const bytes = grown(this.bytes, new Uint8Array(groups * BLOCK));
    this.bytes = bytes;
    this.keys = new Float64Array(bytes.buffer);
    this.ints = new Int32Array(bytes.buffer);
    this.used = grown(this.used, new Int32Array(groups));
    this.minSlots = grown(this.minSlots, new Int32Array(groups));
    this.hasText = grown(this.hasText, new Uint8Array(groups * SLOTS));
    this.filter = grown(this.filter, new Int32Array(groups * FILTER));
    this.groups = groups;
  }

  /**
   * Count one connection of `key` for group g. Answers the slot when the key took one (its text, for an IPv6 key,
   * is then to be set with setText), else -1.
   */
  add(g: number, key: number): number {
    const keys = this.keys;
    const ints = this.ints;
    const at = g * KEY_CELLS;
    const counts = g * INT_CELLS + COUNTS;
    const bucket = g * BLOCK + BUCKETS_AT + bucketOf(key);
    const used = this.used[g]!;
    if (this.bytes[bucket] !== 0)
      for (let i = 0; i < used; i++)
        if (keys[at + i] === key) {
          ints[counts + i]!++;
          if (used === SLOTS) this.raised(g, i);
          return -1;
        }
    // Not held: the bound of its cell says whether it may take a slot (always, while slots are free; else only with a
    // count above the smallest held, so that equal counts do not trade slots).
    const filter = this.filter;
    const cell = g * FILTER + cellOf(key);
    const error = filter[cell]!;
    let slot = used;
    if (slot < SLOTS) this.used[g] = used + 1;
    else {
      const min = this.minSlots[g]!;
      slot = 31 - Math.clz32(min & -min);
      const smallest = ints[counts + slot]!;
      if (error + 1 <= smallest) {
        filter[cell] = error + 1;
        return -1;
      }
      // The client leaving keeps its count as a bound in its cell.
      const old = keys[at + slot]!;
      const oldCell = g * FILTER + cellOf(old);
      if (smallest > filter[oldCell]!) filter[oldCell] = smallest;
      this.bytes[g * BLOCK + BUCKETS_AT + bucketOf(old)]!--;
    }
    this.bytes[bucket]!++;
    keys[at + slot] = key;
    ints[counts + slot] = error + 1;
    ints[counts + ERRORS + slot] = error;
    if (this.hasText[g * SLOTS + slot] === 1) {
      this.hasText[g * SLOTS + slot] = 0;
      this.texts.delete(g * SLOTS + slot);
    }
    if (used + 1 >= SLOTS) this.raised(g, slot);
    return slot;
  }

  /** The text of the IPv6 key that took `slot` of group g. */
  setText(g: number, slot: number, text: string): void {
    this.texts.set(g * SLOTS + slot, text);
    this.hasText[g * SLOTS + slot] = 1;
  }

  /** Slot i of group g went up: it no longer holds the smallest count; when none does, find the new smallest. */
  private raised(g: number, i: number): void {
    const left = this.minSlots[g]! & ~(1 << i);
    this.minSlots[g] = left;
    if (left !== 0) return;
    const counts = g * INT_CELLS + COUNTS;
    let min = Infinity;
    let slots = 0;
    for (let k = 0; k < SLOTS; k++) {
      const n = this.ints[counts + k]!;
      if (n < min) {
        min = n;
        slots = 0;
      }
      if (n === min) slots |= 1 << k;
    }
    this.minSlots[g] = slots;
  }

  /**
   * Group g's `n` highest counts, highest first (ties by address). The slots are ranked by count first, so only the
   * ones that can make the list (those counting at least as much as the n-th) get their address text and the compare
   * by it.
   */
  top(g: number, n: number): ClientCount[] {
    const at = g * KEY_CELLS;
    const base = g * INT_CELLS + COUNTS;
    const used = this.used[g] ?? 0;
    const counts = this.ints.subarray(base, base + used);
    // The n-th highest count (a typed array sorts by value, lowest first).
    const cut = n > 0 && used > n ? counts.slice().sort()[used - n]! : -Infinity;
    const out: ClientCount[] = [];
    for (let i = 0; i < used; i++)
      if (counts[i]! >= cut)
        out.push({
          address: this.texts.get(g * SLOTS + i) ?? ipv4Text(this.keys[at + i]!),
          count: counts[i]!,
          error: this.ints[base + ERRORS + i]!,
        });
    return out.sort(byCountThenAddress).slice(0, n);
  }
}

const byCountThenAddress = (a: ClientCount, b: ClientCount): number =>
  b.count - a.count || (a.address < b.address ? -1 : 1);

/** A group's block: SLOTS keys (8 bytes each), SLOTS counts and SLOTS errors (4 bytes each), then the buckets. */
const BUCKETS = 64;
const BUCKETS_AT = SLOTS * 16;
const BLOCK = BUCKETS_AT + BUCKETS;
/** The block in each view's units: Float64 cells (keys first), Int32 cells (counts after the keys, then errors). */
const KEY_CELLS = BLOCK / 8;
const INT_CELLS = BLOCK / 4;
const COUNTS = SLOTS * 2;
const ERRORS = SLOTS;

/**
 * Filter cells per group: 16 times the slots (1 KiB), so that a cell's bound, shared by the clients not held that map
 * to it, stays below the counts held. With 64, half the lines of the bench's table still took a slot, and the mean
 * error was 11 where it is 2 with 256.
 */
const FILTER = 256;
/** The filter cell of a key: the top 8 bits of its low 32 bits times another odd constant than bucketOf's. */
const cellOf = (key: number): number => Math.imul(key | 0, 0x85ebca6b) >>> 24;

/** The bucket of a key: the top 6 bits of its low 32 bits times the golden ratio. With 16 keys held, a key not held
 * finds its bucket empty about 4 times in 5. */
const bucketOf = (key: number): number => Math.imul(key | 0, 0x9e3779b1) >>> 26;

export function ipv4Text(value: number): string {
  return `${Math.floor(value / 16777216) % 256}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

/** The key of an IPv6 address's bytes b[start..end): 2^32 plus two 26-bit FNV-1a hashes side by side. */
export function ipv6Key(b: Uint8Array, start: number, end: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = start; i < end; i++) {
    h1 = Math.imul(h1 ^ b[i]!, 0x01000193);
    h2 = Math.imul(h2 ^ b[i]!, 0x5bd1e995);
  }
  return 2 ** 32 + (h1 >>> 6) * 2 ** 26 + (h2 >>> 6);
}
