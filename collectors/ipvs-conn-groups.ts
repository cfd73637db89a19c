import { CONN_PROTOCOLS, type ConnLine } from './ipvs-conn-line.js';
import type { ConnTally } from './ipvs-conn-tally.js';
import { serviceKey } from './ipvs-list.js';
import { realServerKey } from './ipvs-types.js';
import { ipv6Key, type ClientCount } from './top-clients.js';

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
  /** The clients with most connections, highest first (see top-clients.ts for what `error` means). */
  readonly topClients: readonly ClientCount[];
}

/** A pair's names: the fields of its counts that the lines do not change. */
export type ConnGroupHead = Pick<
  ConnGroupCounts,
  'serviceKey' | 'protocol' | 'virtualAddress' | 'virtualPort' | 'serverKey' | 'serverAddress' | 'serverPort'
>;

/** The fixed facts of one (virtual service, real server) pair: its names, and its fields' bytes to match lines by. */
export class ConnGroup {
  private readonly virtualBytes: Uint8Array;
  private readonly destBytes: Uint8Array;
  private readonly protocol: number;
  /** The pair's names, the first fields of its counts. */
  readonly head: ConnGroupHead;

  constructor(b: Uint8Array, s: ConnLine) {
    this.protocol = s.protocol;
    // Copies: a view would keep the whole input chunk alive for the group's lifetime.
    this.virtualBytes = bytesOf(b, s.virtualStart, s.virtualEnd).slice();
    this.destBytes = bytesOf(b, s.destStart, s.destEnd).slice();
    const protocol = CONN_PROTOCOLS[s.protocol]!;
    const virtualAddress = latin1(b, s.virtual.start, s.virtual.end);
    const serverAddress = latin1(b, s.dest.start, s.dest.end);
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
}

/** Count the entry read into s (over b) as one of group g: a template when its client port is 0 (see ConnTally). */
export function countEntry(tally: ConnTally, g: number, b: Uint8Array, s: ConnLine): void {
  const template = s.client.port === 0;
  const ipv4 = s.client.ipv4;
  const { start, end } = s.client;
  const client = template ? undefined : ipv4 >= 0 ? ipv4 : ipv6Key(b, start, end);
  let slot: number;
  if (s.state < 0) slot = tally.otherState(g, latin1(b, s.stateStart, s.stateEnd), s.expires, client);
  else if (client === undefined) return tally.template(g, s.state, s.expires);
  else slot = tally.connection(g, s.state, s.expires, client);
  if (slot >= 0 && ipv4 < 0) tally.clientText(g, slot, b, start, end);
}

/**
 * The bytes b[i..j) as text, a character per byte (latin1). A few per group, so plain code: no
 * Buffer methods, whose JavaScript V8 would otherwise compile along with the reader's.
 */
export const latin1 = (b: Uint8Array, i: number, j: number): string => String.fromCharCode(...bytesOf(b, i, j));

/** A plain view of b[i..j) (a Buffer's own subarray goes through Buffer's constructor). */
const bytesOf = (b: Uint8Array, i: number, j: number): Uint8Array => new Uint8Array(b.buffer, b.byteOffset + i, j - i);

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
