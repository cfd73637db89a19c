import { MAX_LINE, isIpAddress } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';

/** One health checker of a real server, as keepalived's checker process dumps it. */
export interface CheckerEntry {
  /** TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK, BFD_CHECK. */
  readonly kind: string;
  readonly up: boolean;
  readonly enabled: boolean;
  readonly connectAddress?: string;
  readonly connectPort?: number;
  readonly connectTimeoutSec?: number;
  readonly retries?: number;
  /** HTTP_GET / SSL_GET: the last `Checked url` and the status codes it accepts. */
  readonly path?: string;
  readonly statusCodes?: readonly number[];
}

/** A real server of a keepalived virtual server: the weight keepalived intends and what its checkers say. */
export interface CheckedRealServer {
  readonly address: string;
  readonly port: number;
  /** `weight` in keepalived.conf: what a reload sets. */
  readonly configuredWeight: number;
  /** What keepalived set in IPVS (0 while a checker fails with inhibit_on_failure). */
  readonly effectiveWeight: number;
  readonly alive: boolean;
  readonly failedCheckers: number;
  readonly inhibitOnFailure: boolean;
  readonly checkers: readonly CheckerEntry[];
}

export interface CheckedVirtualServer {
  /** `10.0.0.40:80`, or `FWM 1` for a fwmark service. */
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly protocol: string;
  readonly realServers: readonly CheckedRealServer[];
}

/** keepalived's checker view of its virtual servers (/tmp/keepalived_check.data, written on its DATA signal). */
export interface CheckerDump {
  readonly virtualServers: readonly CheckedVirtualServer[];
}

const MAX_SERVERS = 100_000;
const unbracket = (a: string) => a.replace(/^\[|\]$/g, '');

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableRs = Mutable<CheckedRealServer> & { checkers: CheckerEntry[] };
type MutableVs = Mutable<Omit<CheckedVirtualServer, 'realServers'>> & { realServers: MutableRs[] };

type PendingCheck = {
  vs: string;
  rs: string;
  entry: Partial<Mutable<CheckerEntry>> & { statusCodes?: number[] };
};

/** The walk over a checker dump: the servers read so far, the one being read, the checker blocks seen. */
interface CheckerWalk {
  readonly vss: MutableVs[];
  vs: MutableVs | undefined;
  rs: MutableRs | undefined;
  check: PendingCheck | undefined;
  /** Inside a checker's `HTTP Status Code(s)` list. */
  inCodes: boolean;
  /** Checker blocks, matched to their real servers once the whole dump is read. */
  readonly pending: PendingCheck[];
  /** Real servers whose `alive` line was read. */
  readonly aliveRead: Set<MutableRs>;
}

/** A trimmed line (number n) of `LVS Topology`: a virtual server, a real server, or a field of one; the error when refused. */
function topologyLine(w: CheckerWalk, line: string, n: number): ParseResult<CheckerDump> | undefined {
  let m = /^VS VIP = (\S+), VPORT = (\d+)$/.exec(line);
  if (m) {
    if (w.vss.length >= MAX_SERVERS) return parseError('keepalived_check.data: too many virtual servers', n);
    w.vs = { address: unbracket(m[1]!), port: Number(m[2]), protocol: 'TCP', realServers: [] };
    w.vss.push(w.vs);
    return undefined;
  }
  m = /^VS FWMARK = (\d+)$/.exec(line);
  if (m) {
    w.vs = { fwmark: Number(m[1]), protocol: 'FWM', realServers: [] };
    w.vss.push(w.vs);
    return undefined;
  }
  m = /^RIP = (\S+), RPORT = (\d+), WEIGHT = (-?\d+)/.exec(line);
  if (m && w.vs) {
    const address = unbracket(m[1]!);
    if (!isIpAddress(address)) return parseError('keepalived_check.data: bad real server address', n, line);
    w.rs = {
      address,
      port: Number(m[2]),
      configuredWeight: Number(m[3]),
      effectiveWeight: Number(m[3]),
      alive: false,
      failedCheckers: 0,
      inhibitOnFailure: false,
      checkers: [],
    };
    w.vs.realServers.push(w.rs);
    return undefined;
  }
  m = /^([a-z_ -]+?) (?:=|is) (.*)$/i.exec(line);
  if (m) serverField(w, m[1]!.toLowerCase(), m[2]!);
  return undefined;
}

/** A `key = value` (or `key is value`) line of the real server being read, else of the virtual server. */
function serverField(w: CheckerWalk, key: string, value: string): void {
  const { rs, vs } = w;
  if (rs) {
    if (key === 'initial weight') rs.configuredWeight = Number(value);
    else if (key === 'effective weight') rs.effectiveWeight = Number(value);
    else if (key === 'alive') {
      rs.alive = value === '1' || value === 'yes';
      w.aliveRead.add(rs);
    } else if (key === 'num failed checkers') rs.failedCheckers = Number(value);
    else if (key === 'inhibit on failure') rs.inhibitOnFailure = value === 'ON';
  } else if (vs && key === 'protocol' && vs.protocol !== 'FWM') vs.protocol = value.toUpperCase();
}

/** A trimmed line of `Health checkers`: a checker block's target, a status code of its list, or one of its fields. */
function checkerLine(w: CheckerWalk, line: string): void {
  const target = /^\[([^\]]+)\]:(\w+):(\d+) -> \[([^\]]+)\]:(\w+):(\d+)$/.exec(line);
  const fwTarget = /^FWM (\d+) -> \[([^\]]+)\]:(\w+):(\d+)$/.exec(line);
  if (target || fwTarget) {
    w.check = target
      ? { vs: `${target[1]}:${target[3]}`, rs: `${target[4]}:${target[6]}`, entry: {} }
      : { vs: `FWM ${fwTarget![1]}`, rs: `${fwTarget![2]}:${fwTarget![4]}`, entry: {} };
    w.pending.push(w.check);
    w.inCodes = false;
    return;
  }
  if (!w.check) return;
  const e = w.check.entry;
  if (line === 'HTTP Status Code(s)') {
    w.inCodes = true;
    e.statusCodes = [];
    return;
  }
  if (w.inCodes && /^\d{3}(?:-\d{3})?$/.test(line)) {
    const [from, to = from] = line.split('-').map(Number);
    for (let c = from!; c <= to! && e.statusCodes!.length < 500; c++) e.statusCodes!.push(c);
    return;
  }
  w.inCodes = false;
  const kv = /^([A-Za-z ()]+?) = (.*)$/.exec(line);
  if (kv) checkerField(e, kv[1]!, kv[2]!);
}

function checkerField(e: PendingCheck['entry'], key: string, value: string): void {
  if (key === 'Up') e.up = value === 'yes';
  else if (key === 'Enabled') e.enabled = value === 'yes';
  else if (key === 'Retries') e.retries = Number(value);
  else if (key === 'Timeout') e.connectTimeoutSec = Number(value);
  else if (key === 'Keepalive method') e.kind = value.split(/[ ,]/)[0]!;
  else if (key === 'Checked url') e.path = value.split(/\s/)[0]!;
  else if (key === 'Dest') {
    const d = /^\[([^\]]+)\]:(\d+)$/.exec(value);
    if (d) Object.assign(e, { connectAddress: d[1]!, connectPort: Number(d[2]) });
  }
}

/** Each checker block to its real server (a block naming no server read, or no method, is left out). */
function attachCheckers(w: CheckerWalk): void {
  for (const c of w.pending) {
    const owner = w.vss.find((v) => (v.fwmark !== undefined ? `FWM ${v.fwmark}` : `${v.address}:${v.port}`) === c.vs);
    const server = owner?.realServers.find((r) => `${r.address}:${r.port}` === c.rs);
    if (!server || !c.entry.kind) continue;
    server.checkers.push({ up: false, enabled: true, ...c.entry, kind: c.entry.kind });
  }
}

/**
 * Parse the checker dump: its `LVS Topology` (virtual and real servers with weights and alive flags) and its
 * `Health checkers` (one block per checker: `[VIP]:tcp:80 -> [RIP]:tcp:80`, Up, Keepalive method, Dest, url).
 * Lines it does not know are skipped (keepalived adds fields between versions); a dump without the LVS topology
 * heading is refused.
 */
export function parseCheckerDump(text: string): ParseResult<CheckerDump> {
  if (!text.includes('------< LVS Topology >------'))
    return parseError('keepalived_check.data: no "LVS Topology" section');
  const w: CheckerWalk = {
    vss: [],
    vs: undefined,
    rs: undefined,
    check: undefined,
    inCodes: false,
    pending: [],
    aliveRead: new Set(),
  };
  let section = '';
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw.length > MAX_LINE) return parseError(`keepalived_check.data: line longer than ${MAX_LINE}`, n + 1);
    const line = raw.trim();
    const heading = /^------< (.+) >------$/.exec(line);
    if (heading) {
      if (heading[1] === 'Virtual server' || heading[1] === 'Real server') {
        if (heading[1] === 'Virtual server') w.vs = undefined;
        w.rs = undefined;
      } else section = heading[1]!;
    } else if (section === 'LVS Topology') {
      const refused = topologyLine(w, line, n + 1);
      if (refused) return refused;
    } else if (section === 'Health checkers') checkerLine(w, line);
  }
  const cut = cutShort(w);
  if (cut) return cut;
  attachCheckers(w);
  return ok({ virtualServers: w.vss });
}

/**
 * keepalived's checker process writes its dump as it walks its servers, and a dump read while it is still being
 * written (a busy director, a second poller's signal) ends inside one: a real server without its `alive` line would
 * read as not alive, a false "removed by keepalived". Such a dump is refused whole (the checker view is then left out
 * of the reading, the VRRP part stands).
 */
function cutShort(w: CheckerWalk): ParseResult<CheckerDump> | undefined {
  for (const vs of w.vss)
    for (const rs of vs.realServers)
      if (!w.aliveRead.has(rs))
        return parseError(
          `keepalived_check.data: real server ${rs.address}:${rs.port} has no "alive" line: the dump was cut short`,
        );
  return undefined;
}
