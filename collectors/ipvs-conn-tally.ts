import { CONN_STATES } from './ipvs-conn-line.js';
import { latin1, type ConnGroupCounts, type ConnGroupHead } from './ipvs-conn-groups.js';
import { SLOTS, TopClientsTable } from './top-clients.js';

const ESTABLISHED = CONN_STATES.indexOf('ESTABLISHED');

/**
 * A group's cells: three expiries, its connections, templates and ESTABLISHED connections, then a count per state
 * (connections and templates together, as the states map reports them). A line adds one to its total and to its
 * state's count and may move an expiry: a few cells side by side, two cache lines at most.
 */
const LONGEST_CONN = 0;
const LONGEST_TEMPLATE = 1;
const SHORTEST_TEMPLATE = 2;
const CONNECTIONS = 3;
const TEMPLATES = 4;
const ACTIVE = 5;
const STATE_AT = 6;
const CELLS = STATE_AT + CONN_STATES.length;
/** Longest IPv6 client text kept as bytes (`ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` is 45). */
const TEXT_BYTES = 48;

/**
 * The running counts of every (service, real server) group of a read, a group by its index. All groups' counts sit
 * in one array, a group's side by side: counting a line is a few writes at a known offset, where an object per group
 * (with its own arrays) cost a chain of cache misses per line once the groups outgrow the cache.
 */
export class ConnTally {
  private groups = 0;
  private capacity = 0;
  private cells = new Float64Array(0);
  /** Per group, the entries with a state name outside CONN_STATES (a newer kernel's): rare, so a Map when seen. */
  private readonly otherStates: (Map<string, number> | undefined)[] = [];
  private readonly clients = new TopClientsTable();
  /**
   * The text of the IPv6 clients that hold a slot of a group's top clients, as bytes (TEXT_BYTES at each group *
   * SLOTS + slot, made with the first) and lengths (0: none), made strings only for the counts. A client not held
   * takes a slot on most lines of a busy group: a string made per IPv6 line, and dropped at the next, cost more than
   * the rest of the line. A longer text (never printed by the kernel) is given to `clients` at once.
   */
  private textBytes: Uint8Array = new Uint8Array(0);
  private textLengths: Uint8Array = new Uint8Array(0);

  /** A new group's index. */
  addGroup(): number {
    const g = this.groups++;
    if (g >= this.capacity) {
      this.capacity = Math.max(16, 2 * this.capacity);
      this.cells = grown(this.cells, new Float64Array(this.capacity * CELLS));
      this.clients.grow(this.capacity);
      this.textLengths = grown(this.textLengths, new Uint8Array(this.capacity * SLOTS));
      if (this.textBytes.length > 0)
        this.textBytes = grown(this.textBytes, new Uint8Array(this.capacity * SLOTS * TEXT_BYTES));
    }
    this.cells[g * CELLS + LONGEST_CONN] = -1;
    this.cells[g * CELLS + LONGEST_TEMPLATE] = -1;
    this.cells[g * CELLS + SHORTEST_TEMPLATE] = Infinity;
    return g;
  }

  /**
   * Count a persistence template of group g: an entry with client port 0. The kernel makes every template as
   * <protocol, client, 0, virtual, ...> (ip_vs_sched_persist), and no TCP, UDP or SCTP client sends from port 0.
   * `state` indexes CONN_STATES.
   */
  template(g: number, state: number, expires: number): void {
    const at = g * CELLS;
    this.cells[at + STATE_AT + state]!++;
    this.countTemplate(at, expires);
  }

  /**
   * Count a connection of group g from the client with key `client` (see TopClientsTable); `state` indexes
   * CONN_STATES. Answers the slot the client took in the group's top clients (to set an IPv6 client's text), or -1.
   */
  connection(g: number, state: number, expires: number, client: number): number {
    const at = g * CELLS;
    this.cells[at + STATE_AT + state]!++;
    if (state === ESTABLISHED) this.cells[at + ACTIVE]!++;
    return this.countConnection(g, expires, client);
  }

  /** Count an entry of group g whose state is the name `state`, outside CONN_STATES; a template without a client. */
  otherState(g: number, state: string, expires: number, client: number | undefined): number {
    const names = (this.otherStates[g] ??= new Map());
    names.set(state, (names.get(state) ?? 0) + 1);
    if (client !== undefined) return this.countConnection(g, expires, client);
    this.countTemplate(g * CELLS, expires);
    return -1;
  }

  /** The state-free part of template(), for the group whose cells start at `at`. */
  private countTemplate(at: number, expires: number): void {
    const cells = this.cells;
    cells[at + TEMPLATES]!++;
    if (expires > cells[at + LONGEST_TEMPLATE]!) cells[at + LONGEST_TEMPLATE] = expires;
    if (expires < cells[at + SHORTEST_TEMPLATE]!) cells[at + SHORTEST_TEMPLATE] = expires;
  }

  /** The state-free part of connection(). */
  private countConnection(g: number, expires: number, client: number): number {
    const at = g * CELLS;
    this.cells[at + CONNECTIONS]!++;
    if (expires > this.cells[at + LONGEST_CONN]!) this.cells[at + LONGEST_CONN] = expires;
    const slot = this.clients.add(g, client);
    // A new client in the slot: any IPv6 text kept for it was its last client's.
    if (slot >= 0) this.textLengths[g * SLOTS + slot] = 0;
    return slot;
  }

  /** Keep b[start..end) as the text of the IPv6 client that took `slot` of group g's top clients. */
  clientText(g: number, slot: number, b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n > TEXT_BYTES) return this.clients.setText(g, slot, latin1(b, start, end));
    if (this.textBytes.length === 0) this.textBytes = new Uint8Array(this.capacity * SLOTS * TEXT_BYTES);
    const at = (g * SLOTS + slot) * TEXT_BYTES;
    for (let k = 0; k < n; k++) this.textBytes[at + k] = b[start + k]!;
    this.textLengths[g * SLOTS + slot] = n;
  }

  /** Give `clients` the texts kept for group g's IPv6 clients (before its top clients are asked for). */
  private setTexts(g: number): void {
    for (let slot = 0; slot < SLOTS; slot++) {
      const n = this.textLengths[g * SLOTS + slot]!;
      const at = (g * SLOTS + slot) * TEXT_BYTES;
      if (n > 0) this.clients.setText(g, slot, latin1(this.textBytes, at, at + n));
    }
  }

  /**
   * Group g's counts under its names, with its `topN` heaviest clients. Field by field in the order of
   * ConnGroupCounts, in small plain functions: they run once per group, and a read of a few thousand groups should
   * end in a few milliseconds, not wait for V8 to compile them.
   */
  counts(g: number, head: ConnGroupHead, topN: number): ConnGroupCounts {
    const at = g * CELLS;
    const cells = this.cells;
    const active = cells[at + ACTIVE]!;
    const templates = cells[at + TEMPLATES]!;
    // Typed whole now; topClients is set last, after the optional fields, to keep the field order.
    const counts = {
      serviceKey: head.serviceKey,
      protocol: head.protocol,
      virtualAddress: head.virtualAddress,
      virtualPort: head.virtualPort,
      serverKey: head.serverKey,
      serverAddress: head.serverAddress,
      serverPort: head.serverPort,
      active,
      inactive: cells[at + CONNECTIONS]! - active,
      templates,
      states: this.states(g),
    } as Mutable<ConnGroupCounts>;
    if (cells[at + LONGEST_CONN]! >= 0) counts.longestConnExpiry = cells[at + LONGEST_CONN]!;
    if (templates > 0) {
      counts.longestTemplateExpiry = cells[at + LONGEST_TEMPLATE]!;
      counts.shortestTemplateExpiry = cells[at + SHORTEST_TEMPLATE]!;
    }
    this.setTexts(g);
    counts.topClients = this.clients.top(g, topN);
    return counts;
  }

  /** Group g's entries per state name: CONN_STATES' in their order (those seen), then any others. */
  private states(g: number): Record<string, number> {
    const at = g * CELLS + STATE_AT;
    const cells = this.cells;
    const states: Record<string, number> = {};
    for (let i = 0; i < CONN_STATES.length; i++) if (cells[at + i]! > 0) states[CONN_STATES[i]!] = cells[at + i]!;
    this.otherStates[g]?.forEach((n, name) => (states[name] = n));
    return states;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `fresh`, a larger array, with `old` copied to its start. */
const grown = <T extends Uint8Array | Float64Array>(old: T, fresh: T): T => (fresh.set(old), fresh);
