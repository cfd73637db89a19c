import { isIPv4, isIPv6 } from 'node:net';
import { addressPort, serviceKey } from '../../collectors/ids.js';
import type { IpvsProtocol, IpvsService } from '../../collectors/ipvs-types.js';
import type { Config } from '../config/config-schema.js';
import { badInput } from './action-error.js';
import { findCluster, findDirector } from './config-lookup.js';
import type { SchedulerRequest } from './kinds/scheduler.js';
import type { WeightRequest } from './kinds/weight.js';

/**
 * The one text codec of action targets: what an operator types (headless arguments, an older audit line) becomes a
 * typed selector here, once. The console and serve hand typed selectors, which are never turned back into text.
 */

/** A virtual service as the operator names it: `tcp:172.16.60.22:80`, `udp:[2001:db8::1]:53`, `fwm:1`. */
export interface ServiceSpec {
  readonly protocol: IpvsProtocol;
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  /** For a fwmark: the address family when named (`FWM 77 IPv6` is IPv6, `FWM 77` IPv4); `fwm:77` leaves it open. */
  readonly ipv6?: boolean;
  /** The key ipvs-list gives the same service (`TCP 172.16.60.22:80`, `FWM 1`, `FWM 77 IPv6`). */
  readonly key: string;
}

/** Longer than any service or real server spec can be (`sctp:[8 groups]:65535`); refused before any pattern runs. */
const MAX_SPEC = 128;

/** Checked without a backtracking pattern: a bounded length, then the runtime's own IPv6 grammar. */
const isIpv6 = (text: string) => text.length <= 64 && isIPv6(text);

function tooLong(text: string, what: string): void {
  if (text.length > MAX_SPEC) throw badInput(`${what}: longer than ${MAX_SPEC} characters`);
}

function port(text: string, what: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) throw badInput(`${what}: "${text}" is not a port (0..65535)`);
  return n;
}

/** `ADDR:PORT`, `[V6]:PORT`, or a bare address (port undefined). */
export function parseAddressPort(text: string, what: string): { address: string; port?: number } {
  tooLong(text, what);
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  const colons = text.split(':').length - 1;
  const [address, portText] = bracket
    ? [bracket[1]!, bracket[2]]
    : colons === 1
      ? [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)]
      : [text, undefined];
  const v6 = address.includes(':');
  if (!(v6 ? isIpv6(address) : address.length <= 15 && isIPv4(address)))
    throw badInput(`${what}: "${text}" is not an address (expected ADDR:PORT, [IPV6]:PORT or ADDR)`);
  return { address, ...(portText === undefined ? {} : { port: port(portText, what) }) };
}

const PROTOCOLS: Record<string, IpvsProtocol> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

/** Parse `tcp:ADDR:PORT`, `udp:…`, `sctp:…`, `fwm:N`, or a service key as the console shows it (`TCP 1.2.3.4:80`). */
export function parseServiceSpec(text: string): ServiceSpec {
  tooLong(text.trim(), `service "${text.slice(0, 40)}…"`);
  const t = text.trim();
  const keyForm = /^(TCP|UDP|SCTP|FWM)\s+(.+)$/i.exec(t);
  const m = keyForm ?? /^(tcp|udp|sctp|fwm):(.+)$/i.exec(t);
  if (!m) throw badInput(`service "${text}": expected tcp:ADDR:PORT, udp:ADDR:PORT, sctp:ADDR:PORT or fwm:MARK`);
  const proto = m[1]!.toLowerCase();
  const rest = m[2]!.trim();
  if (proto === 'fwm') {
    const fwm = /^(\d{1,10})(\s+IPv6)?$/i.exec(rest);
    const mark = fwm ? Number(fwm[1]) : NaN;
    if (!(mark >= 1 && mark <= 0xffffffff)) throw badInput(`service "${text}": fwmark must be 1..4294967295`);
    const ipv6 = Boolean(fwm?.[2]);
    const family = keyForm || ipv6 ? { ipv6 } : {};
    return { protocol: 'FWM', fwmark: mark, ...family, key: serviceKey({ protocol: 'FWM', fwmark: mark, ipv6 }) };
  }
  const ap = parseAddressPort(rest, `service "${text}"`);
  if (ap.port === undefined) throw badInput(`service "${text}": a port is required (ADDR:PORT)`);
  const protocol = PROTOCOLS[proto]!;
  return { protocol, address: ap.address, port: ap.port, key: serviceKey({ protocol, ...ap }) };
}

/** ipvsadm's service options for a listed service: `-t ADDR:PORT`, `-u …`, `--sctp-service …`, `-f MARK [-6]`. */
export function serviceArgs(svc: Pick<IpvsService, 'protocol' | 'address' | 'port' | 'fwmark' | 'ipv6'>): string[] {
  if (svc.protocol === 'FWM') return ['-f', String(svc.fwmark), ...(svc.ipv6 ? ['-6'] : [])];
  const flag = svc.protocol === 'TCP' ? '-t' : svc.protocol === 'UDP' ? '-u' : '--sctp-service';
  return [flag, addressPort(svc.address ?? '', svc.port)];
}

/** A real server as the operator names it: `ADDR:PORT`, a bare `ADDR` (any port), or a configured host name. */
export interface RealServerSpec {
  readonly address: string;
  readonly port?: number;
  /** What the operator typed, for messages and guard confirmation. */
  readonly label: string;
}

export function parseRealServerSpec(
  text: string,
  configured: readonly { readonly host?: string; readonly address: string }[],
): RealServerSpec {
  const t = text.trim();
  const byHost = configured.find((r) => r.host === t);
  if (byHost) return { address: byHost.address, label: t };
  const ap = parseAddressPort(t, `real server "${text}"`);
  return { ...ap, label: t };
}

export function matchesRealServer(spec: RealServerSpec, rs: { address: string; port: number }): boolean {
  return rs.address === spec.address && (spec.port === undefined || rs.port === spec.port);
}

/**
 * Which service a request names: a listed service's key as a row carries it (`{ key: 'TCP 172.16.60.22:80' }`), or
 * a spec parsed from what the operator typed.
 */
export type ServiceSelector = ServiceSpec | { readonly key: string };

/** Which real server a request names: an address and port (none: every port), and the name to show for it. */
export type RealServerSelector = RealServerSpec;

/** The selector of a listed real server, as the console's rows carry it. */
export const realServerSelector = (rs: { readonly address: string; readonly port: number }): RealServerSelector => ({
  address: rs.address,
  port: rs.port,
  label: addressPort(rs.address, rs.port),
});

/** Does a listed service answer to the selector? A fwmark named without a family matches either. */
export function matchesService(selector: ServiceSelector, svc: IpvsService): boolean {
  if ('protocol' in selector && selector.protocol === 'FWM')
    return (
      svc.protocol === 'FWM' &&
      svc.fwmark === selector.fwmark &&
      (selector.ipv6 === undefined || svc.ipv6 === selector.ipv6)
    );
  return svc.key === selector.key;
}

/**
 * The one listed service a spec names, or undefined. `fwm:77` with both an IPv4 and an IPv6 service of mark 77 is
 * ambiguous: bad input naming both keys, so the operator can pick one.
 */
export function findService(
  spec: ServiceSelector,
  services: readonly IpvsService[],
  host: string,
): IpvsService | undefined {
  const found = services.filter((s) => matchesService(spec, s));
  if (found.length > 1)
    throw badInput(
      `${spec.key} names ${found.length} services on ${host}: ${found.map((s) => `"${s.key}"`).join(', ')}`,
    );
  return found[0];
}

/** The text form of a weight or scheduler request: what the headless commands take as arguments. */
type TextRequest<R> = Omit<R, 'action' | 'service' | 'realServer'> & {
  readonly service: string;
  readonly realServer: string;
};

/** A weight request from text: `all` or a service, a real server (address, `ADDR:PORT` or a host name). */
export function weightRequestOf(config: Config, args: TextRequest<WeightRequest>): WeightRequest {
  const cluster = findCluster(config, args.cluster);
  findDirector(cluster, args.director);
  return {
    ...args,
    action: 'weight',
    service: args.service === 'all' ? 'all' : parseServiceSpec(args.service),
    realServer: parseRealServerSpec(args.realServer, cluster.realServers),
  };
}

export function schedulerRequestOf(
  config: Config,
  args: Omit<TextRequest<SchedulerRequest>, 'realServer'>,
): SchedulerRequest {
  findDirector(findCluster(config, args.cluster), args.director);
  return { ...args, action: 'scheduler', service: parseServiceSpec(args.service) };
}
