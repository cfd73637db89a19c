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
  private readonly keys = new Float64Array(SLOTS);
  private readonly counts = new Float64Array(SLOTS);
  private readonly errors = new Float64Array(SLOTS);
  /** IPv6 slots' text (IPv4 text is made from the key when asked). */
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

  /** Count one connection of `key`; `text` makes the address text when the key takes a slot (IPv6 only). */
  add(key: number, text?: () => string): void {
    const { keys, counts, used } = this;
    let min = 0;
    for (let i = 0; i < used; i++) {
      if (keys[i] === key) {
        counts[i]!++;
        return;
      }
      if (counts[i]! < counts[min]!) min = i;
    }
    const slot = used < SLOTS ? this.used++ : min;
    this.errors[slot] = used < SLOTS ? 0 : counts[slot]!;
    keys[slot] = key;
    counts[slot] = this.errors[slot]! + 1;
    if (key >= 2 ** 32 || this.texts[slot] !== undefined)
      this.texts[slot] = key >= 2 ** 32 && text ? text() : undefined;
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
