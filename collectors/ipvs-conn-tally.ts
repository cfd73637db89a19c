import { CONN_STATES } from './ipvs-conn-line.js';
import type { ConnGroupCounts, ConnGroupHead } from './ipvs-conn-groups.js';
import { TopClientsTable } from './top-clients.js';

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

  /** A new group's index. */
  addGroup(): number {
    const g = this.groups++;
    if (g >= this.capacity) {
      this.capacity = Math.max(16, 2 * this.capacity);
      const cells = new Float64Array(this.capacity * CELLS);
      cells.set(this.cells);
      this.cells = cells;
      this.clients.grow(this.capacity);
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
    return this.clients.add(g, client);
  }

  /** Set the text of the IPv6 client that took `slot` of group g's top clients. */
  clientText(g: number, slot: number, text: string): void {
    this.clients.setText(g, slot, text);
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
