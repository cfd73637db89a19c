import { CONN_PROTOCOLS, CONN_STATES, type ConnLine } from './ipvs-conn-line.js';
import { serviceKey } from './ipvs-list.js';
import { realServerKey } from './ipvs-types.js';
import { ipv6Key, TopClients, type ClientCount } from './top-clients.js';

export type ConnProtocol = (typeof CONN_PROTOCOLS)[number];

/** What the connection table holds for one (virtual service, real server) pair. */
export interface ConnGroupCounts {
  /**
   * The service as the IPVS list names it (`TCP 10.18.11.40:80`); a fwmark service's templates are `FWM 1`, and its
   * connections carry the address and port the client used. A port-zero service's templates carry port 0.
   */
  readonly serviceKey: string;
  readonly protocol: ConnProtocol;
  readonly virtualAddress: string;
  readonly virtualPort: number;
  /** The real server as the IPVS list names it (`192.168.60.99:80`, `[2001:db8::1]:80`). */
  readonly serverKey: string;
  readonly serverAddress: string;
  readonly serverPort: number;
  /** ESTABLISHED connections (what `ipvsadm -L -n` counts as ActiveConn). */
  readonly active: number;
  /** Every other connection: TCP opening and closing states, UDP. */
  readonly inactive: number;
  /** Persistence templates (client port 0): while one lives, its client returns to this server. */
  readonly templates: number;
  /** Entries per state name as printed, templates included (`NONE`, `ASSURED`). */
  readonly states: Readonly<Record<string, number>>;
  /** Seconds left on the connection and the template that expire last, rounded down as printed. */
  readonly longestConnExpiry?: number;
  readonly longestTemplateExpiry?: number;
  /** Seconds left on the template that expires first. */
  readonly shortestTemplateExpiry?: number;
  /** The clients with most connections, highest first (see TopClients for what `error` means). */
  readonly topClients: readonly ClientCount[];
}

const ESTABLISHED = CONN_STATES.indexOf('ESTABLISHED');

/** The running counts of one pair while the table streams by. */
export class ConnGroup {
  private readonly virtualBytes: Uint8Array;
  private readonly destBytes: Uint8Array;
  private readonly protocol: number;
  private readonly head: Omit<ConnGroupCounts, 'active' | 'inactive' | 'templates' | 'states' | 'topClients'>;
  private active = 0;
  private inactive = 0;
  private templates = 0;
  private readonly states = new Float64Array(CONN_STATES.length);
  private otherStates: Map<string, number> | undefined;
  private longestConn = -1;
  private longestTemplate = -1;
  private shortestTemplate = Infinity;
  private readonly clients = new TopClients();

  constructor(b: Uint8Array, s: ConnLine) {
    this.protocol = s.protocol;
    // Copies: a Buffer's slice is a view that would keep the whole input chunk alive for the group's lifetime.
    this.virtualBytes = new Uint8Array(b.subarray(s.virtualStart, s.virtualEnd));
    this.destBytes = new Uint8Array(b.subarray(s.destStart, s.destEnd));
    const text = (i: number, j: number) => Buffer.from(b.buffer, b.byteOffset + i, j - i).toString('latin1');
    const protocol = CONN_PROTOCOLS[s.protocol]!;
    const virtualAddress = text(s.virtual.start, s.virtual.end);
    const serverAddress = text(s.dest.start, s.dest.end);
    this.head = {
      serviceKey: groupServiceKey(protocol, virtualAddress, s.virtual.port, s.virtual.ipv4),
      protocol,
      virtualAddress,
      virtualPort: s.virtual.port,
      serverKey: realServerKey({ address: serverAddress, port: s.dest.port }),
      serverAddress,
      serverPort: s.dest.port,
    };
  }

  /** Is the line in s (over b) of this group? */
  matches(b: Uint8Array, s: ConnLine): boolean {
    return (
      s.protocol === this.protocol &&
      same(this.virtualBytes, b, s.virtualStart, s.virtualEnd) &&
      same(this.destBytes, b, s.destStart, s.destEnd)
    );
  }

  /**
   * Count the line in s. A template is an entry with client port 0: the kernel makes every persistence template
   * as <protocol, client, 0, virtual, ...> (ip_vs_sched_persist), and no TCP, UDP or SCTP client sends from port 0.
   */
  add(b: Uint8Array, s: ConnLine): void {
    if (s.state >= 0) this.states[s.state]!++;
    else {
      const name = Buffer.from(b.buffer, b.byteOffset + s.stateStart, s.stateEnd - s.stateStart).toString('latin1');
      this.otherStates ??= new Map();
      this.otherStates.set(name, (this.otherStates.get(name) ?? 0) + 1);
    }
    const e = s.expires;
    if (s.client.port === 0) {
      this.templates++;
      if (e > this.longestTemplate) this.longestTemplate = e;
      if (e < this.shortestTemplate) this.shortestTemplate = e;
      return;
    }
    if (s.state === ESTABLISHED) this.active++;
    else this.inactive++;
    if (e > this.longestConn) this.longestConn = e;
    if (s.client.ipv4 >= 0) this.clients.add(s.client.ipv4);
    else {
      const { start, end } = s.client;
      this.clients.add(ipv6Key(b, start, end), () =>
        Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1'),
      );
    }
  }

  counts(topN: number): ConnGroupCounts {
    const states: Record<string, number> = {};
    CONN_STATES.forEach((name, i) => {
      if (this.states[i]! > 0) states[name] = this.states[i]!;
    });
    for (const [name, n] of this.otherStates ?? []) states[name] = n;
    return {
      ...this.head,
      active: this.active,
      inactive: this.inactive,
      templates: this.templates,
      states,
      ...(this.longestConn >= 0 ? { longestConnExpiry: this.longestConn } : {}),
      ...(this.templates > 0
        ? { longestTemplateExpiry: this.longestTemplate, shortestTemplateExpiry: this.shortestTemplate }
        : {}),
      topClients: this.clients.top(topN),
    };
  }
}

function same(kept: Uint8Array, b: Uint8Array, i: number, j: number): boolean {
  if (kept.length !== j - i) return false;
  for (let k = 0; k < kept.length; k++) if (kept[k] !== b[i + k]) return false;
  return true;
}

/** A fwmark template's virtual address is the mark (ip_vs_sched_persist: <IPPROTO_IP, caddr, 0, fwmark, 0, ...>). */
function groupServiceKey(protocol: ConnProtocol, address: string, port: number, ipv4: number): string {
  if (protocol === 'IP' && ipv4 >= 0) return `FWM ${ipv4}`;
  if (protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP') return serviceKey({ protocol, address, port });
  return `${protocol} ${address.includes(':') ? `[${address}]` : address}:${port}`;
}
