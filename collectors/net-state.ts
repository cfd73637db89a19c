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
  { id: 'route', file: '/proc/net/route' },
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

/** The IPv4 default gateway from /proc/net/route (hex, little-endian), if there is one. */
export function parseDefaultGateway(text: string): string | undefined {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    if (f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000' || !/^[0-9A-F]{8}$/i.test(f[2] ?? '')) continue;
    const n = parseInt(f[2]!, 16);
    if (n === 0) continue;
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  return undefined;
}

/** Scheduler modules (ip_vs_rr, ...) loaded: their own lines, and the users listed on ip_vs's line. */
export function schedulersOf(procModules: string): string[] {
  const names = new Set<string>();
  for (const line of procModules.split('\n')) {
    const [name, , , users] = line.split(' ');
    if (name?.startsWith('ip_vs_')) names.add(name);
    if (name === 'ip_vs') for (const u of (users ?? '').split(',')) if (u.startsWith('ip_vs_')) names.add(u);
  }
  return [...names]
    .filter((m) => !/^ip_vs_(ftp|pe_|proto)/.test(m))
    .map((m) => m.slice(6))
    .sort();
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
  const route = sections.get('route');
  const defaultGateway = route?.exitCode === 0 ? parseDefaultGateway(route.stdout) : undefined;
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
    loadedSchedulers: schedulersOf(modules?.exitCode === 0 ? modules.stdout : ''),
  });
}
