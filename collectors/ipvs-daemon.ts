import { MAX_LINE, decimalUint, isIpAddress } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type { CommandSection } from './section.js';

/** The connection sync daemons the kernel runs (a director can run a master and a backup at once). */
export const IPVS_DAEMON_ARGV = ['ipvsadm', '-L', '--daemon'] as const;

export const IPVS_DAEMON_SECTION: CommandSection = {
  id: 'ipvs-daemon',
  argv: IPVS_DAEMON_ARGV,
  guard: ['test', '-e', '/proc/net/ip_vs'],
  timeoutSec: 5,
  shared: true,
};

export interface SyncDaemon {
  /** master sends this director's connection changes; backup receives a master's. */
  readonly role: 'master' | 'backup';
  /** The multicast interface (`mcast=`). */
  readonly interface: string;
  readonly syncId: number;
  /** Newer ipvsadm prints these when set: largest sync message, multicast group, UDP port, TTL. */
  readonly maxLen?: number;
  readonly group?: string;
  readonly port?: number;
  readonly ttl?: number;
}

/** No daemon at all is an empty list: ipvsadm prints nothing then. */
export interface SyncDaemons {
  readonly master?: SyncDaemon;
  readonly backup?: SyncDaemon;
}

/**
 * ipvsadm's list_daemon prints, per running daemon, `master sync daemon (mcast=eth0, syncid=51)`; ipvsadm 1.28 and
 * later add `, maxlen=N`, `, group=ADDR`, `, port=N` and `, ttl=N` before the `)` when the kernel reports them.
 */
const LINE = /^(master|backup) sync daemon \((.*)\)$/;

type Fields = Partial<Record<'mcast' | 'syncid' | 'maxlen' | 'group' | 'port' | 'ttl', string>>;
const KEYS = new Set(['mcast', 'syncid', 'maxlen', 'group', 'port', 'ttl']);

function fieldsOf(inner: string): Fields | string {
  const out: Record<string, string> = {};
  for (const part of inner.split(', ')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    if (eq <= 0 || !KEYS.has(key)) return `unknown field "${part.slice(0, 40)}"`;
    if (key in out) return `field ${key} given twice`;
    out[key] = part.slice(eq + 1);
  }
  return out as Fields;
}

function number(text: string | undefined, max: number): number | undefined | null {
  if (text === undefined) return undefined;
  const n = decimalUint(text, 10);
  return n === undefined || n > max ? null : n;
}

function daemonOf(line: string): SyncDaemon | string {
  const m = LINE.exec(line);
  if (!m) return 'not a sync daemon line';
  const f = fieldsOf(m[2]!);
  if (typeof f === 'string') return f;
  if (!f.mcast || /\s/.test(f.mcast) || f.mcast.length > 15) return 'missing or bad mcast interface';
  const syncId = number(f.syncid, 255);
  const maxLen = number(f.maxlen, 65535);
  const port = number(f.port, 65535);
  const ttl = number(f.ttl, 255);
  if (syncId === undefined || syncId === null) return 'missing or bad syncid';
  if (maxLen === null || port === null || ttl === null) return 'bad maxlen, port or ttl';
  if (f.group !== undefined && !isIpAddress(f.group)) return 'bad multicast group';
  return {
    role: m[1] as 'master' | 'backup',
    interface: f.mcast,
    syncId,
    ...(maxLen === undefined ? {} : { maxLen }),
    ...(f.group === undefined ? {} : { group: f.group }),
    ...(port === undefined ? {} : { port }),
    ...(ttl === undefined ? {} : { ttl }),
  };
}

/** Parse `ipvsadm -L --daemon`: empty output is no daemon; any other line is an error naming it. */
export function parseIpvsDaemon(text: string): ParseResult<SyncDaemons> {
  const found: { master?: SyncDaemon; backup?: SyncDaemon } = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.length > MAX_LINE) return parseError(`line longer than ${MAX_LINE} characters`, i + 1, line);
    const d = daemonOf(line);
    if (typeof d === 'string') return parseError(`ipvsadm -L --daemon: ${d}`, i + 1, line);
    if (found[d.role]) return parseError(`ipvsadm -L --daemon: two ${d.role} daemons`, i + 1, line);
    found[d.role] = d;
  }
  return ok(found);
}
