import type { IpvsProtocol } from './ipvs-types.js';

/**
 * Every key the console builds for IPVS things, in one place: the service key, the real server key, the rate key,
 * the row ids and the drain-state key. Keys are built from typed values and compared; nothing splits them again.
 */

/** An address as ipvsadm prints it next to a port: IPv6 in brackets, IPv4 as is. The one bracket formatter. */
export const bracketed = (address: string): string => (address.includes(':') ? `[${address}]` : address);

/** `ADDR:PORT`, `[V6]:PORT`. */
export const addressPort = (address: string, port: number | undefined): string => `${bracketed(address)}:${port}`;

/** A service's key within a director: `TCP 172.16.60.22:80`, `FWM 1`, `FWM 77 IPv6`. */
export function serviceKey(s: {
  readonly protocol: IpvsProtocol;
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly ipv6?: boolean;
}): string {
  if (s.protocol === 'FWM') return `FWM ${s.fwmark}${s.ipv6 ? ' IPv6' : ''}`;
  return `${s.protocol} ${addressPort(s.address ?? '', s.port)}`;
}

/** A real server's key within a service: `192.168.60.99:80`, `[fd00:60::99]:80`. */
export const realServerKey = (rs: { readonly address: string; readonly port: number }): string =>
  addressPort(rs.address, rs.port);

/** A real server's rates within a director: `${service key}|${real server key}`. */
export const rateKey = (serviceKey: string, rs: { readonly address: string; readonly port: number }): string =>
  `${serviceKey}|${realServerKey(rs)}`;

/** The Services view's row of a service. */
export const serviceRowId = (host: string, serviceKey: string): string => `${host}|${serviceKey}`;

/** The Services view's row of a real server; also what a weight request's `seen` is keyed by. */
export const realServerRowId = (
  host: string,
  serviceKey: string,
  rs: { readonly address: string; readonly port: number },
): string => `${serviceRowId(host, serviceKey)}|${realServerKey(rs)}`;

/** A drained row in the drain state file: `cluster/director/service key/real server key`. */
export const drainKey = (
  cluster: string,
  host: string,
  serviceKey: string,
  rs: { readonly address: string; readonly port: number },
): string => `${cluster}/${host}/${serviceKey}/${realServerKey(rs)}`;
