import { serviceKey } from './ipvs-list.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type { ForwardMethod, IpvsProtocol, IpvsService } from './ipvs-types.js';

/** The IPVS table as rules: what `ipvsadm -R` would restore. Numeric, so no DNS lookups. */
export const IPVS_SAVE_ARGV = ['ipvsadm', '-S', '-n'] as const;

export interface SavedRealServer {
  readonly address: string;
  /** 0 for a firewall-mark service whose real servers keep the client's port. */
  readonly port: number;
  readonly forward: ForwardMethod;
  readonly weight: number;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
}

/** A service as a rule: the fields `ipvsadm -Ln` shows too, plus what only the save format carries. */
export interface SavedService extends Pick<
  IpvsService,
  'key' | 'protocol' | 'address' | 'port' | 'fwmark' | 'ipv6' | 'persistenceMask'
> {
  readonly scheduler?: string;
  /** `-b`: sh-fallback, sh-port, flag-1, ... */
  readonly schedulerFlags: readonly string[];
  /** `-p`: seconds. */
  readonly persistence?: number;
  /** `--pe`: persistence engine. */
  readonly persistenceEngine?: string;
  /** `-o`: one-packet scheduling. */
  readonly oneShot: boolean;
  readonly realServers: readonly SavedRealServer[];
}

const PROTOCOL_FLAGS: Record<string, IpvsProtocol> = {
  '-t': 'TCP',
  '--tcp-service': 'TCP',
  '-u': 'UDP',
  '--udp-service': 'UDP',
  '--sctp-service': 'SCTP',
  '-f': 'FWM',
  '--fwmark-service': 'FWM',
};

const FORWARD_FLAGS: Record<string, ForwardMethod> = {
  '-g': 'Route',
  '--gatewaying': 'Route',
  '-m': 'Masq',
  '--masquerading': 'Masq',
  '-i': 'Tunnel',
  '--ipip': 'Tunnel',
};

/** `1.2.3.4:80`, `[2001:db8::1]:80`, `1.2.3.4` or a bare IPv6 address (fwmark real servers). */
function splitAddress(text: string): { address: string; port: number } | undefined {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { address: v6[1]!, port: Number(v6[2] ?? 0) };
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d+))?$/.exec(text);
  if (v4) return { address: v4[1]!, port: Number(v4[2] ?? 0) };
  if (/^[0-9a-fA-F:]+$/.test(text) && text.includes(':')) return { address: text, port: 0 };
  return undefined;
}

interface Options {
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
}

const WITH_VALUE = new Set([
  '-t',
  '-u',
  '-f',
  '--sctp-service',
  '-s',
  '-p',
  '-M',
  '-r',
  '-w',
  '-x',
  '-y',
  '-b',
  '--pe',
]);

function readOptions(words: readonly string[]): Options | string {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (WITH_VALUE.has(w)) {
      const v = words[i + 1];
      if (v === undefined || v.startsWith('-')) return `option ${w} has no value`;
      values.set(w, v);
      i++;
    } else if (w.startsWith('-')) flags.add(w);
    else return `unexpected word "${w}"`;
  }
  return { values, flags };
}

function serviceOf(opts: Options): Omit<SavedService, 'realServers'> | string {
  const flag = ['-t', '-u', '-f', '--sctp-service'].find((f) => opts.values.has(f));
  if (!flag) return 'no -t, -u or -f service';
  const protocol = PROTOCOL_FLAGS[flag]!;
  const raw = opts.values.get(flag)!;
  const ipv6 = opts.flags.has('-6') || raw.startsWith('[');
  let where: { address?: string; port?: number; fwmark?: number };
  if (protocol === 'FWM') {
    if (!/^\d+$/.test(raw)) return `bad firewall mark "${raw}"`;
    where = { fwmark: Number(raw) };
  } else {
    const a = splitAddress(raw);
    if (!a) return `bad service address "${raw}"`;
    where = a;
  }
  const p = opts.values.get('-p');
  const base = { protocol, ...where, ipv6 };
  return {
    key: serviceKey(base),
    ...base,
    ...(opts.values.has('-s') ? { scheduler: opts.values.get('-s')! } : {}),
    schedulerFlags: opts.values.get('-b')?.split(',').filter(Boolean) ?? [],
    ...(p !== undefined && /^\d+$/.test(p) ? { persistence: Number(p) } : {}),
    ...(opts.values.has('-M') ? { persistenceMask: opts.values.get('-M')! } : {}),
    ...(opts.values.has('--pe') ? { persistenceEngine: opts.values.get('--pe')! } : {}),
    oneShot: opts.flags.has('-o') || opts.flags.has('--ops'),
  };
}

function realServerOf(opts: Options): SavedRealServer | string {
  const raw = opts.values.get('-r');
  if (raw === undefined) return 'no -r real server';
  const a = splitAddress(raw);
  if (!a) return `bad real server address "${raw}"`;
  const fwd = [...opts.flags].map((f) => FORWARD_FLAGS[f]).find(Boolean) ?? 'Route';
  const num = (k: string) => (opts.values.has(k) ? Number(opts.values.get(k)) : undefined);
  const upper = num('-x');
  const lower = num('-y');
  return {
    ...a,
    forward: fwd,
    weight: num('-w') ?? 1,
    ...(upper !== undefined ? { upperThreshold: upper } : {}),
    ...(lower !== undefined ? { lowerThreshold: lower } : {}),
  };
}

/** Parse `ipvsadm -S -n`: `-A` lines add a service, `-a` lines a real server of the service they name. */
export function parseIpvsSave(text: string): ParseResult<readonly SavedService[]> {
  const services: { head: Omit<SavedService, 'realServers'>; realServers: SavedRealServer[] }[] = [];
  const byKey = new Map<string, (typeof services)[number]>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [cmd, ...rest] = line.split(/\s+/);
    if (cmd !== '-A' && cmd !== '-a') return parseError(`expected an -A or -a rule`, n + 1, line);
    const opts = readOptions(rest);
    if (typeof opts === 'string') return parseError(opts, n + 1, line);
    const head = serviceOf(opts);
    if (typeof head === 'string') return parseError(head, n + 1, line);
    if (cmd === '-A') {
      const entry = { head, realServers: [] };
      services.push(entry);
      byKey.set(head.key, entry);
      continue;
    }
    const entry = byKey.get(head.key);
    if (!entry) return parseError(`real server of ${head.key} before its -A line`, n + 1, line);
    const rs = realServerOf(opts);
    if (typeof rs === 'string') return parseError(rs, n + 1, line);
    entry.realServers.push(rs);
  }
  return ok(services.map((s) => ({ ...s.head, realServers: s.realServers })));
}
