export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP' | 'FWM';

/** Forwarding method as ipvsadm prints it: Masq (NAT, -m), Route (DR, -g), Tunnel (TUN, -i), Local. */
export type ForwardMethod = 'Masq' | 'Route' | 'Tunnel' | 'Local';

export interface IpvsCounters {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
}

export interface IpvsRealServer {
  /** Address without brackets (IPv4 or IPv6). */
  readonly address: string;
  readonly port: number;
  readonly forward: ForwardMethod;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly counters?: IpvsCounters;
}

export interface IpvsService {
  /** Stable id within a director: `TCP 172.16.60.22:80`, `FWM 1`. */
  readonly key: string;
  readonly protocol: IpvsProtocol;
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly ipv6: boolean;
  readonly scheduler: string;
  /** Seconds, when the service is persistent. */
  readonly persistence?: number;
  readonly persistenceMask?: string;
  /** Other flags as printed: ops, synproxy, sh-fallback, pe sip, ... */
  readonly flags: readonly string[];
  readonly realServers: readonly IpvsRealServer[];
  readonly counters?: IpvsCounters;
}

export interface IpvsTable {
  readonly version?: string;
  readonly tableSize?: number;
  readonly services: readonly IpvsService[];
}

export { realServerKey } from './ids.js';

/** The same real server (what `realServerKey` names), compared without building the key. */
export const sameRealServer = (a: IpvsRealServer, b: IpvsRealServer): boolean =>
  a.address === b.address && a.port === b.port;
export const sameService = (a: IpvsService, b: IpvsService): boolean => a.key === b.key;
export const serviceKeyOf = (s: IpvsService): string => s.key;
