/**
 * The heaviest clients of one real server in fixed memory: the space-saving summary (Metwally, Agrawal, El Abbadi,
 * "Efficient computation of frequent and top-k elements in data streams", 2005). It keeps `SLOTS` counters; a client
 * not held takes the slot with the smallest count and inherits that count as its possible over-count (`error`).
 * Any client seen more than total / SLOTS times is held, and a held client's true count lies in
 * [count - error, count]. A million connections cost the same few hundred bytes per real server as ten.
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

export class TopClients {
  private used = 0;
  /** Keys, counts, errors and buckets share one block: one allocation, and one stretch of memory per server. */
  private readonly block = new ArrayBuffer(SLOTS * 8 * 3 + BUCKETS);
  private readonly keys = new Float64Array(this.block, 0, SLOTS);
  private readonly counts = new Float64Array(this.block, SLOTS * 8, SLOTS);
  private readonly errors = new Float64Array(this.block, SLOTS * 16, SLOTS);
  /** IPv6 slots' text (IPv4 text is made from the key when asked). */
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  /** Keys held per bucket of their hash: an empty bucket shows a key is not held without a look at the slots. */
  private readonly buckets = new Uint8Array(this.block, SLOTS * 24, BUCKETS);
  /** Once every slot is used: a bit per slot holding the smallest count. The lowest of them is the one to replace. */
  private minSlots = 0;

  /** Count one connection of `key`; `text` makes the address text when the key takes a slot (IPv6 only). */
  add(key: number, text?: () => string): void {
    const bucket = bucketOf(key);
    if (this.buckets[bucket] !== 0)
      for (let i = 0; i < this.used; i++)
        if (this.keys[i] === key) {
          this.counts[i]!++;
          if (this.used === SLOTS) this.raised(i);
          return;
        }
    let slot = this.used;
    let error = 0;
    if (slot < SLOTS) this.used++;
    else {
      slot = 31 - Math.clz32(this.minSlots & -this.minSlots);
      error = this.counts[slot]!;
      this.buckets[bucketOf(this.keys[slot]!)]!--;
    }
    this.buckets[bucket]!++;
    this.errors[slot] = error;
    this.keys[slot] = key;
    this.counts[slot] = error + 1;
    if (key >= 2 ** 32 || this.texts[slot] !== undefined)
      this.texts[slot] = key >= 2 ** 32 && text ? text() : undefined;
    if (this.used === SLOTS) this.raised(slot);
  }

  /** Slot i's count went up: it no longer holds the smallest; when none does, find the new smallest. */
  private raised(i: number): void {
    this.minSlots &= ~(1 << i);
    if (this.minSlots !== 0) return;
    let min = Infinity;
    for (let k = 0; k < SLOTS; k++) {
      const n = this.counts[k]!;
      if (n < min) {
        min = n;
        this.minSlots = 0;
      }
      if (n === min) this.minSlots |= 1 << k;
    }
  }

  /** The `n` highest counts, highest first (ties by address). */
  top(n: number): ClientCount[] {
    const out: ClientCount[] = [];
    for (let i = 0; i < this.used; i++)
      out.push({ address: this.texts[i] ?? ipv4Text(this.keys[i]!), count: this.counts[i]!, error: this.errors[i]! });
    out.sort((a, b) => b.count - a.count || (a.address < b.address ? -1 : 1));
    return out.slice(0, n);
  }
}

/** Buckets of TopClients' key filter: with 16 keys held, a key not held finds its bucket empty 15 times in 16. */
const BUCKETS = 256;

/** The bucket of a key: the top 8 bits of its low 32 bits times the golden ratio. */
const bucketOf = (key: number): number => Math.imul(key | 0, 0x9e3779b1) >>> 24;

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
