/**
 * Every parser the console feeds with host output (each exported parse* / interpret* of collectors/, and the service
 * and real-server specs an operator types), with the inputs to fuzz it with and an independent check of what it
 * accepted.
 */
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { interpretHostInfo, parseHostProc } from '../collectors/host-info.js';
import { interpretIpvs } from '../collectors/ipvs-collector.js';
import {
  mergeIpvsStats,
  parseIpvsList,
  parseIpvsListAndStats,
  parseIpvsListAndStatsByKey,
  parseIpvsStats,
} from '../collectors/ipvs-list.js';
import { compressIpv6, parseIpvsProc, parseIpvsProcStats } from '../collectors/ipvs-proc.js';
import { counterRates, tableRates } from '../collectors/ipvs-rates.js';
import { parseIpvsThresholds } from '../collectors/ipvs-thresholds.js';
import { parseKeepalivedData } from '../collectors/keepalived-data.js';
import { parseSignums } from '../collectors/keepalived-dump-script.js';
import { parseKeepalivedJson } from '../collectors/keepalived-json.js';
import { parseNotifyLog } from '../collectors/keepalived-notify.js';
import { interpretKeepalived } from '../collectors/keepalived.js';
import {
  interpretNetState,
  parseDefaultGateway,
  parseIpAddr,
  parseModules,
  schedulersOf,
  sysctlsOf,
} from '../collectors/net-state.js';
import { interpretNfsMounts, parseMountstats, parseNfsProbe, parseProcMounts } from '../collectors/nfs.js';
import type { ParseResult } from '../collectors/parse-result.js';
import { interpretReplicationSide, parseHeartbeat, parseRsyncDryRun } from '../collectors/replication.js';
import type { SectionOutput } from '../collectors/section.js';
import { ActionError } from '../src/actions/action-error.js';
import { parseAddressPort, parseRealServerSpec, parseServiceSpec } from '../src/actions/target-spec.js';
import { fixturePairs, fixtureTexts, HOSTILE_NUMBERS, mutatedPairs, textInputs } from './fuzz-inputs.js';
import * as v from './fuzz-validators.js';

type Why = string | undefined;

export interface FuzzTarget {
  readonly name: string;
  readonly inputs: fc.Arbitrary<unknown>;
  readonly run: (input: never) => unknown;
  /** Why the result is wrong (an invalid value accepted, a malformed error), or undefined. */
  readonly check: (result: never) => Why;
  /** A throw that is the target's documented way to refuse (operator input), not a crash. */
  readonly refuses?: (err: unknown) => boolean;
}

const target = <I, R>(t: {
  name: string;
  inputs: fc.Arbitrary<I>;
  run: (input: I) => R;
  check: (result: R) => Why;
  refuses?: (err: unknown) => boolean;
}): FuzzTarget => t as unknown as FuzzTarget;

/** A ParseResult: the value passes `valid`, or the error is a typed parse error. */
const result =
  <T>(valid: (value: T) => Why) =>
  (r: ParseResult<T>): Why => {
    if (r.ok) return v.first(v.plainData(r.value), valid(r.value));
    const e = r.error;
    return e.kind === 'parse' && typeof e.message === 'string' && (e.text === undefined || e.text.length <= 200)
      ? undefined
      : 'malformed parse error';
  };

const texts = (name: RegExp, json = false) => textInputs(fixtureTexts(name), json);

/** A section as the poller hands it over: text, an exit code (or null when its guard failed), stderr. */
const sectionOf = (id: string, stdout: fc.Arbitrary<string>): fc.Arbitrary<[string, SectionOutput]> =>
  fc
    .tuple(stdout, fc.constantFrom<number | null>(0, 0, 0, 1, 3, 4, 5, 127, 137, null), texts(/stderr/))
    .map(([out, exitCode, stderr]) => [id, { id, stdout: out, stderr, exitCode }]);

const sections = (...parts: fc.Arbitrary<[string, SectionOutput]>[]) =>
  fc.tuple(...parts).map((p) => new Map(p) as ReadonlyMap<string, SectionOutput>);

const listTexts = () => texts(/ipvsadm-Ln\.txt$/);
const statsTexts = () => texts(/ipvsadm-Ln-stats\.txt$/);
type Counters = { conns: number; inPkts: number; outPkts: number; inBytes: number; outBytes: number };
const counterValue = fc.oneof({ arbitrary: fc.nat(), weight: 4 }, { arbitrary: fc.double(), weight: 1 });
const countersArb: fc.Arbitrary<Counters> = fc.record({
  conns: counterValue,
  inPkts: counterValue,
  outPkts: counterValue,
  inBytes: counterValue,
  outBytes: counterValue,
});
/** Counters a poll later: each moved by a small step or by a hostile one (a reset, NaN, Infinity). */
const moved = (c: Counters) =>
  fc
    .array(fc.constantFrom(0, 1, 7, -1, -1e9, NaN, Infinity, -Infinity, 1e308, 0.5), { minLength: 5, maxLength: 5 })
    .map((d) => ({
      conns: c.conns + d[0]!,
      inPkts: c.inPkts + d[1]!,
      outPkts: c.outPkts + d[2]!,
      inBytes: c.inBytes + d[3]!,
      outBytes: c.outBytes + d[4]!,
    }));
const SPECS = [
  'tcp:172.16.60.22:80',
  'udp:[2001:db8::1]:53',
  'sctp:10.0.0.1:3868',
  'fwm:1',
  'FWM 4294967295',
  'TCP 10.18.11.40:80',
  '192.168.60.99:80',
  '[fd00::2]:443',
  '10.0.0.1',
];
const specInputs = fc.oneof(
  textInputs(SPECS),
  fc.constantFrom(...SPECS).map((s) => s.replace(/\d+$/, HOSTILE_NUMBERS[s.length % HOSTILE_NUMBERS.length]!)),
);
const refusesBadInput = (err: unknown) => err instanceof ActionError && err.kind === 'bad-input';
const spec = (s: { address?: string; port?: number; fwmark?: number }): Why =>
  v.first(
    s.address === undefined ? undefined : v.ip(s.address),
    s.port === undefined ? undefined : v.port(s.port),
    s.fwmark === undefined || (Number.isInteger(s.fwmark) && s.fwmark >= 1 && s.fwmark <= 4294967295)
      ? undefined
      : `fwmark ${s.fwmark}`,
  );

const ipvsReading = (r: ReturnType<typeof interpretIpvs>): Why =>
  r.status === 'ok' ? v.first(v.plainData(r), v.table(r.table), v.counters(r.totals)) : undefined;

export const TARGETS: readonly FuzzTarget[] = [
  target({ name: 'parseIpvsList', inputs: texts(/ipvsadm-/), run: parseIpvsList, check: result(v.table) }),
  target({
    name: 'parseIpvsStats',
    inputs: statsTexts(),
    run: parseIpvsStats,
    check: result((m) =>
      v.each(m.values(), (e) =>
        v.first(
          v.counters(e.counters),
          v.each(e.realServers, ([k, c]) => v.first(v.addressPortKey(k), v.counters(c))),
        ),
      ),
    ),
  }),
  target({
    name: 'mergeIpvsStats',
    inputs: fc.tuple(listTexts(), statsTexts()),
    run: ([l, s]) => {
      const a = parseIpvsList(l);
      const b = parseIpvsStats(s);
      return a.ok && b.ok ? mergeIpvsStats(a.value, b.value) : undefined;
    },
    check: (t) => (t ? v.first(v.plainData(t), v.table(t)) : undefined),
  }),
  target({
    name: 'parseIpvsListAndStats',
    inputs: fc.oneof(
      {
        arbitrary: mutatedPairs(
          fixturePairs(/ipvsadm-Ln\.txt$|ipvs-list\.txt$/, /ipvsadm-Ln-stats\.txt$|ipvs-stats\.txt$/),
        ),
        weight: 3,
      },
      { arbitrary: fc.tuple(listTexts(), statsTexts()), weight: 1 },
    ),
    run: ([l, s]) => [parseIpvsListAndStats(l, s), parseIpvsListAndStatsByKey(l, s)] as const,
    check: ([inStep, byKey]) =>
      !isDeepStrictEqual(inStep, byKey)
        ? 'differs from the separate parses merged by key'
        : inStep.ok
          ? v.first(v.plainData(inStep.value), v.table(inStep.value))
          : undefined,
  }),
  target({ name: 'parseIpvsProc', inputs: texts(/proc-net-ip_vs\.txt$/), run: parseIpvsProc, check: result(v.table) }),
  target({
    name: 'parseIpvsProcStats',
    inputs: texts(/proc-net-ip_vs_stats\.txt$/),
    run: parseIpvsProcStats,
    check: result(v.counters),
  }),
  target({
    name: 'parseIpvsThresholds',
    inputs: texts(/thresholds\.txt$|ipvsadm-Ln\.txt$/),
    run: parseIpvsThresholds,
    check: result((m) =>
      v.each(m.values(), (rs) =>
        v.each(rs, ([k, t]) =>
          v.first(
            v.addressPortKey(k),
            Number.isInteger(t.upper) && t.upper >= 0 && t.upper <= 4294967295 ? undefined : 'upper threshold',
            Number.isInteger(t.lower) && t.lower >= 0 && t.lower <= 4294967295 ? undefined : 'lower threshold',
          ),
        ),
      ),
    ),
  }),
  target({
    name: 'compressIpv6',
    inputs: fc
      .oneof(fc.array(fc.constantFrom('0000', '0001', '2001', '0db8', 'ffff', '00a0'), { minLength: 8, maxLength: 8 }))
      .map((g) => g.join(':')),
    run: compressIpv6,
    check: v.ip,
  }),
  target({
    name: 'counterRates',
    inputs: fc
      .tuple(
        countersArb,
        fc.oneof(countersArb, countersArb.chain(moved)),
        fc.oneof(fc.double(), fc.integer({ min: 1, max: 10 })),
      )
      .map(([a, b, s]) => [a, b, s] as const),
    run: ([a, b, s]) => counterRates(a, b, s),
    check: (r) => (r ? v.rates(r as unknown as Record<string, unknown>) : undefined),
  }),
  target({
    name: 'tableRates',
    inputs: fc.tuple(listTexts(), statsTexts(), statsTexts(), fc.oneof(fc.double(), fc.constant(2))),
    run: ([l, s1, s2, secs]) => {
      const t = parseIpvsList(l);
      const a = parseIpvsStats(s1);
      const b = parseIpvsStats(s2);
      if (!t.ok || !a.ok || !b.ok) return undefined;
      return tableRates(mergeIpvsStats(t.value, a.value), mergeIpvsStats(t.value, b.value), secs);
    },
    check: (r) =>
      r
        ? v.first(
            v.each(r.services.values(), (x) => v.rates(x as unknown as Record<string, unknown>)),
            v.each(r.realServers.values(), (x) => v.rates(x as unknown as Record<string, unknown>)),
          )
        : undefined,
  }),
  target({
    name: 'interpretIpvs',
    inputs: sections(
      sectionOf('ipvs-list', listTexts()),
      sectionOf('ipvs-stats', statsTexts()),
      sectionOf('ipvs-proc', texts(/proc-net-ip_vs\.txt$/)),
      sectionOf('ipvs-proc-stats', texts(/proc-net-ip_vs_stats\.txt$/)),
    ),
    run: interpretIpvs,
    check: ipvsReading,
  }),
  target({
    name: 'parseKeepalivedJson',
    inputs: texts(/keepalived-json\.txt$|\.json$/, true),
    run: parseKeepalivedJson,
    check: result((xs) => v.each(xs, v.vrrpInstance)),
  }),
  target({
    name: 'parseKeepalivedData',
    inputs: texts(/keepalived-data\.txt$|\.data$/),
    run: parseKeepalivedData,
    check: result((d) => v.first(v.each(d.instances, v.vrrpInstance), v.each(d.trackFiles, v.trackFile))),
  }),
  target({
    name: 'parseNotifyLog',
    inputs: texts(/notify-log\.txt$/),
    run: parseNotifyLog,
    check: (xs) => v.first(v.plainData(xs), v.each(xs, v.notifyLine)),
  }),
  target({
    name: 'parseSignums',
    inputs: texts(/stderr/),
    run: parseSignums,
    check: (s) => (s === undefined || (/^(\d+|none)$/.test(s.json) && /^\d+$/.test(s.data)) ? undefined : 'signums'),
  }),
  target({
    name: 'interpretKeepalived',
    inputs: sections(
      sectionOf('keepalived', texts(/dump\.txt$/)),
      sectionOf('keepalived-notify', texts(/notify-log\.txt$/)),
    ),
    run: interpretKeepalived,
    check: (r) =>
      r.status === 'ok'
        ? v.first(
            v.plainData(r),
            v.each(r.instances, v.vrrpInstance),
            v.each(r.trackFiles, v.trackFile),
            v.each(r.notify, v.notifyLine),
          )
        : typeof r.message === 'string' && r.message.length <= 300
          ? undefined
          : 'failure message',
  }),
  target({
    name: 'parseIpAddr',
    inputs: texts(/ip-j-addr\.txt$|ip-addr\.json$/, true),
    run: parseIpAddr,
    check: result((xs) => v.each(xs, v.interfaceAddress)),
  }),
  target({
    name: 'parseDefaultGateway',
    inputs: texts(/route\.txt$/),
    run: parseDefaultGateway,
    check: (g) => (g === undefined ? undefined : v.ip(g)),
  }),
  target({
    name: 'parseModules',
    inputs: texts(/proc-modules|lsmod/),
    run: parseModules,
    check: (xs) => v.each(xs, (x) => (x && !x.includes(' ') && x.length <= 64 ? undefined : `module ${x}`)),
  }),
  target({
    name: 'schedulersOf',
    inputs: texts(/proc-modules|lsmod/),
    run: schedulersOf,
    check: (xs) => v.each(xs, (x) => (/^[a-z0-9_]+$/.test(x) ? undefined : `scheduler ${x}`)),
  }),
  target({
    name: 'sysctlsOf',
    inputs: fc
      .array(
        fc.tuple(
          fc.constantFrom(
            'net.ipv4.ip_forward',
            '__proto__',
            'toString',
            'constructor',
            'net.ipv4.conf.all.arp_ignore',
          ),
          texts(/ip_forward|arp_ignore|sysctl/),
        ),
        { maxLength: 6 },
      )
      .map(
        (xs) =>
          new Map(xs.map(([n, out]) => [`sysctl:${n}`, { id: `sysctl:${n}`, stdout: out, stderr: '', exitCode: 0 }])),
      ),
    run: sysctlsOf,
    check: (r) =>
      v.first(
        v.plainData(r),
        Object.getPrototypeOf(r) === Object.prototype ? undefined : 'prototype replaced',
        v.each(Object.keys(r), (k) => (k.startsWith('net.') ? undefined : `sysctl key ${k}`)),
      ),
  }),
  target({
    name: 'interpretNetState',
    inputs: sections(
      sectionOf('ip-addr', texts(/ip-j-addr\.txt$|ip-addr\.json$/, true)),
      sectionOf('route', texts(/route\.txt$/)),
      sectionOf('modules', texts(/proc-modules/)),
      sectionOf('sysctl:net.ipv4.ip_forward', texts(/ip_forward/)),
    ),
    run: interpretNetState,
    check: result((n) =>
      v.first(
        v.each(n.addresses, v.interfaceAddress),
        n.defaultGateway === undefined ? undefined : v.ip(n.defaultGateway),
      ),
    ),
  }),
  target({
    name: 'parseProcMounts',
    inputs: texts(/proc-mounts\.txt$/),
    run: parseProcMounts,
    check: (xs) => v.first(v.plainData(xs), xs.length <= 1_000_000 ? undefined : 'too many mounts'),
  }),
  target({
    name: 'parseMountstats',
    inputs: texts(/mountstats\.txt$/),
    run: parseMountstats,
    check: result((m) => v.each(m.values(), (c) => v.each(Object.values(c), v.counter))),
  }),
  target({
    name: 'interpretNfsMounts',
    inputs: sections(
      sectionOf('proc-mounts', texts(/proc-mounts\.txt$/)),
      sectionOf('mountstats', texts(/mountstats\.txt$/)),
    ),
    run: interpretNfsMounts,
    check: result((r) => v.each(r.stats.values(), (c) => v.each(Object.values(c), v.counter))),
  }),
  target({
    name: 'parseNfsProbe',
    inputs: texts(/nfs-probe/),
    run: parseNfsProbe,
    check: result((p) =>
      v.first(
        Number.isInteger(p.exitCode) && p.exitCode >= 0 && p.exitCode <= 255 ? undefined : `exit ${p.exitCode}`,
        v.counter(p.elapsedMs),
      ),
    ),
  }),
  target({ name: 'parseHeartbeat', inputs: texts(/heartbeat\.txt$/), run: parseHeartbeat, check: result(v.unixTime) }),
  target({
    name: 'parseRsyncDryRun',
    inputs: texts(/rsync-dry/),
    run: parseRsyncDryRun,
    check: result((r) =>
      v.first(v.counter(r.pendingChanges), r.pendingBytes === undefined ? undefined : v.counter(r.pendingBytes)),
    ),
  }),
  target({
    name: 'interpretReplicationSide',
    inputs: sections(
      sectionOf('hb-source-p', texts(/heartbeat\.txt$/)),
      sectionOf('pusher-p', texts(/heartbeat\.txt$/)),
      sectionOf('rsync-dry-p', texts(/rsync-dry/)),
    ),
    run: (s) => interpretReplicationSide('p', 'source', s),
    check: (r) =>
      v.first(
        v.plainData(r),
        r.heartbeat === undefined ? undefined : v.unixTime(r.heartbeat),
        r.rsync ? v.counter(r.rsync.pendingChanges) : undefined,
        (r.heartbeatError?.length ?? 0) <= 300 ? undefined : 'heartbeat error length',
      ),
  }),
  target({
    name: 'parseHostProc',
    inputs: texts(/proc-loadavg-uptime-meminfo\.txt$/),
    run: parseHostProc,
    check: result(v.hostInfo),
  }),
  target({
    name: 'interpretHostInfo',
    inputs: sections(
      sectionOf('loadavg', texts(/loadavg\.txt$/)),
      sectionOf('uptime', texts(/uptime\.txt$/)),
      sectionOf('meminfo', texts(/meminfo\.txt$/)),
      sectionOf('osrelease', texts(/osrelease\.txt$|uname-r/)),
    ),
    run: interpretHostInfo,
    check: result((h) =>
      v.first(v.hostInfo(h), h.kernel === undefined || h.kernel.length <= 256 ? undefined : 'kernel length'),
    ),
  }),
  target({
    name: 'parseServiceSpec',
    inputs: specInputs,
    run: parseServiceSpec,
    check: spec,
    refuses: refusesBadInput,
  }),
  target({
    name: 'parseAddressPort',
    inputs: specInputs,
    run: (t) => parseAddressPort(t, 'address'),
    check: spec,
    refuses: refusesBadInput,
  }),
  target({
    name: 'parseRealServerSpec',
    inputs: specInputs,
    run: (t) => parseRealServerSpec(t, [{ host: 'real1', address: '192.168.60.99' }]),
    check: spec,
    refuses: refusesBadInput,
  }),
];

/** Run one input through a target: what happened and how long the parser took, with no exception escaping. */
export function runOne(t: FuzzTarget, input: unknown): { threw?: unknown; invalid?: string; ms: number } {
  let out: unknown;
  const start = performance.now();
  try {
    out = t.run(input as never);
  } catch (err) {
    const ms = performance.now() - start;
    return t.refuses?.(err) ? { ms } : { threw: err, ms };
  }
  const ms = performance.now() - start;
  try {
    const why = t.check(out as never);
    return why === undefined ? { ms } : { invalid: why, ms };
  } catch (err) {
    return { invalid: `result could not be checked: ${(err as Error).message}`, ms };
  }
}
