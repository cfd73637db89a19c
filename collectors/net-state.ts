import { ok, parseError, type ParseResult } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

export const SYSCTL_FILES = [
  '/proc/sys/net/ipv4/ip_forward',
  '/proc/sys/net/ipv4/conf/all/arp_ignore',
  '/proc/sys/net/ipv4/conf/all/arp_announce',
  '/proc/sys/net/ipv4/conf/lo/arp_ignore',
  '/proc/sys/net/ipv4/conf/lo/arp_announce',
  '/proc/sys/net/ipv4/vs/expire_quiescent_template',
] as const;

/** Section id of a sysctl file: `sysctl:net.ipv4.ip_forward`. */
export const sysctlName = (file: string) => file.replace(/^\/proc\/sys\//, '').replace(/\//g, '.');

export const NET_SECTIONS: readonly Section[] = [
  { id: 'ip-addr', argv: ['ip', '-j', 'addr', 'show'] },
  { id: 'ip-route-default', argv: ['ip', '-j', 'route', 'show', 'default'] },
  ...SYSCTL_FILES.map((file) => ({ id: `sysctl:${sysctlName(file)}`, file })),
  { id: 'modules', file: '/proc/modules' },
];

export interface InterfaceAddress {
  readonly ifname: string;
  readonly address: string;
  readonly prefixLength: number;
  readonly family: 'inet' | 'inet6';
}

export interface NetState {
  readonly addresses: readonly InterfaceAddress[];
  readonly defaultGateway?: string;
  /** sysctl name (net.ipv4.ip_forward) to value. */
  readonly sysctls: Readonly<Record<string, string>>;
  readonly ipvsLoaded: boolean;
  /** Scheduler modules loaded (rr, wlc, ...). */
  readonly loadedSchedulers: readonly string[];
}

/** Parse `ip -j addr show`. */
export function parseIpAddr(text: string): ParseResult<InterfaceAddress[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return parseError(`ip -j addr: not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) return parseError('ip -j addr: expected an array');
  const out: InterfaceAddress[] = [];
  for (const link of raw as { ifname?: unknown; addr_info?: unknown }[]) {
    if (typeof link?.ifname !== 'string' || !Array.isArray(link.addr_info)) continue;
    for (const a of link.addr_info as { family?: unknown; local?: unknown; prefixlen?: unknown }[]) {
      if ((a.family === 'inet' || a.family === 'inet6') && typeof a.local === 'string')
        out.push({
          ifname: link.ifname,
          address: a.local,
          prefixLength: typeof a.prefixlen === 'number' ? a.prefixlen : 0,
          family: a.family,
        });
    }
  }
  return ok(out);
}

/** sysctl values from the `sysctl:NAME` sections that could be read. */
export function sysctlsOf(sections: ReadonlyMap<string, SectionOutput>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, s] of sections) if (id.startsWith('sysctl:') && s.exitCode === 0) out[id.slice(7)] = s.stdout.trim();
  return out;
}

/** Module names from /proc/modules. */
export function parseModules(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

export function interpretNetState(sections: ReadonlyMap<string, SectionOutput>): ParseResult<NetState> {
  const addr = sections.get('ip-addr');
  if (!addr || addr.exitCode !== 0) return parseError(`ip -j addr failed: ${addr?.stderr.trim() || 'no output'}`);
  const addresses = parseIpAddr(addr.stdout);
  if (!addresses.ok) return addresses;
  let defaultGateway: string | undefined;
  const route = sections.get('ip-route-default');
  if (route?.exitCode === 0) {
    try {
      const routes = JSON.parse(route.stdout) as { gateway?: string }[];
      defaultGateway = routes.find((r) => typeof r.gateway === 'string')?.gateway;
    } catch {
      // A garbled route list leaves the gateway unknown; the doctor says so.
    }
  }
  const modules = sections.get('modules');
  const moduleNames = (modules?.exitCode === 0 ? modules.stdout : '')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
  return ok({
    addresses: addresses.value,
    ...(defaultGateway ? { defaultGateway } : {}),
    sysctls: sysctlsOf(sections),
    ipvsLoaded: moduleNames.includes('ip_vs'),
    loadedSchedulers: moduleNames
      .filter((m) => m.startsWith('ip_vs_') && !/^ip_vs_(ftp|pe_sip|proto)/.test(m))
      .map((m) => m.slice(6)),
  });
}
