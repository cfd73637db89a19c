import { MAX_JSON_DEPTH, MAX_LINE, fieldsOf, hexUint, isIpAddress, jsonDepthWithin } from './field-ranges.js';
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

/**
 * What the console takes from `ip -j addr` (each address, its prefix and its interface) changes only with these: the
 * kernel's address and route tables (IPv4 local addresses are /32 host LOCAL entries of fib_trie, their subnets the
 * prefixes) and the IPv6 addresses with their interfaces. The poll runs `ip` when one of them reads differently, and at
 * least every 30 s. A link's state is not among them: nothing here reads it, and globbing every interface's operstate
 * cost as much as both files.
 */
export const ADDRESS_SOURCES = {
  files: ['/proc/net/fib_trie', '/proc/net/if_inet6'],
  refreshSec: 30,
} as const;

export const NET_SECTIONS: readonly Section[] = [
  { id: 'ip-addr', argv: ['ip', '-j', 'addr', 'show'], unlessUnchanged: ADDRESS_SOURCES },
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

const MAX_LINKS = 65536;
type Fields = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Fields, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/** Parse `ip -j addr show`. Entries that are not objects (`addr_info: [null]`) are skipped; bad addresses refused. */
export function parseIpAddr(text: string): ParseResult<InterfaceAddress[]> {
  if (!jsonDepthWithin(text)) return parseError(`ip -j addr: nested deeper than ${MAX_JSON_DEPTH} levels`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return parseError(`ip -j addr: not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!Array.isArray(raw)) return parseError('ip -j addr: expected an array');
  if (raw.length > MAX_LINKS) return parseError(`ip -j addr: more than ${MAX_LINKS} links`);
  const out: InterfaceAddress[] = [];
  for (const link of raw as unknown[]) {
    if (!isObject(link)) continue;
    const ifname = own(link, 'ifname');
    const info = own(link, 'addr_info');
    if (typeof ifname !== 'string' || ifname.length > 64 || !Array.isArray(info)) continue;
    for (const a of info as unknown[]) {
      if (!isObject(a)) continue;
      const family = own(a, 'family');
      const local = own(a, 'local');
      if ((family !== 'inet' && family !== 'inet6') || typeof local !== 'string') continue;
      const prefix = own(a, 'prefixlen');
      const maxPrefix = family === 'inet' ? 32 : 128;
      if (!isIpAddress(local) || local.includes(':') !== (family === 'inet6'))
        return parseError(`ip -j addr: ${ifname}: not an ${family} address: ${local.slice(0, 80)}`);
      if (
        prefix !== undefined &&
        !(Number.isInteger(prefix) && (prefix as number) >= 0 && (prefix as number) <= maxPrefix)
      )
        return parseError(`ip -j addr: ${ifname}: prefix length out of range: ${String(prefix).slice(0, 40)}`);
      out.push({ ifname, address: local, prefixLength: typeof prefix === 'number' ? prefix : 0, family });
    }
  }
  return ok(out);
}

/** Every sysctl section name the poll can carry; only these become keys (never one a host's output could name). */
const SYSCTL_NAMES = new Set(SYSCTL_FILES.map(sysctlName));

/** sysctl values from the `sysctl:NAME` sections that could be read. */
export function sysctlsOf(sections: ReadonlyMap<string, SectionOutput>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, s] of sections) {
    const name = id.slice(7);
    if (id.startsWith('sysctl:') && s.exitCode === 0 && SYSCTL_NAMES.has(name))
      out[name] = s.stdout.trim().slice(0, 256);
  }
  return out;
}

/** The IPv4 default gateway from /proc/net/route (hex, little-endian), if there is one. */
export function parseDefaultGateway(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.length > MAX_LINE ? undefined : fieldsOf(lines[i]!);
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    if (!f || f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000') continue;
    const n = hexUint(f[2]!, 8);
    if (n === undefined || n === 0 || f[2]!.length !== 8) continue;
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  return undefined;
}

/** Scheduler modules (ip_vs_rr, ...) loaded: their own lines, and the users listed on ip_vs's line. */
export function schedulersOf(procModules: string): string[] {
  const names = new Set<string>();
  for (const line of procModules.split('\n')) {
    if (line.length > MAX_LINE) continue;
    const [name, , , users] = line.split(' ', 4);
    if (name?.startsWith('ip_vs_')) names.add(name);
    if (name === 'ip_vs') for (const u of (users ?? '').split(',')) if (u.startsWith('ip_vs_')) names.add(u);
  }
  return [...names]
    .filter((m) => !/^ip_vs_(ftp|pe_|proto)/.test(m) && /^ip_vs_[a-z0-9_]{1,32}$/.test(m))
    .map((m) => m.slice(6))
    .sort();
}

/** Module names from /proc/modules. */
export function parseModules(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const name = line.slice(0, line.indexOf(' ') < 0 ? line.length : line.indexOf(' '));
    if (name && name.length <= 64) out.push(name);
  }
  return out;
}

export function interpretNetState(sections: ReadonlyMap<string, SectionOutput>): ParseResult<NetState> {
  const addr = sections.get('ip-addr');
  if (!addr || addr.exitCode !== 0) return parseError(`ip -j addr failed: ${addr?.stderr.trim() || 'no output'}`);
  const addresses = parseIpAddr(addr.stdout);
  if (!addresses.ok) return addresses;
  const route = sections.get('route');
  const defaultGateway = route?.exitCode === 0 ? parseDefaultGateway(route.stdout) : undefined;
  const modules = sections.get('modules');
  const moduleNames = parseModules(modules?.exitCode === 0 ? modules.stdout : '');
  return ok({
    addresses: addresses.value,
    ...(defaultGateway ? { defaultGateway } : {}),
    sysctls: sysctlsOf(sections),
    ipvsLoaded: moduleNames.includes('ip_vs'),
    loadedSchedulers: schedulersOf(modules?.exitCode === 0 ? modules.stdout : ''),
  });
}
