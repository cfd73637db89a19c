import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHostProc } from '../../collectors/host-info.js';
import { parseIpvsList, parseIpvsStats } from '../../collectors/ipvs-list.js';
import { parseIpvsProc, parseIpvsProcStats } from '../../collectors/ipvs-proc.js';
import { counterRates } from '../../collectors/ipvs-rates.js';
import { parseIpvsThresholds } from '../../collectors/ipvs-thresholds.js';
import { parseKeepalivedData } from '../../collectors/keepalived-data.js';
import { parseKeepalivedJson } from '../../collectors/keepalived-json.js';
import { parseNotifyLog } from '../../collectors/keepalived-notify.js';
import { parseIpAddr, sysctlsOf } from '../../collectors/net-state.js';
import { parseMountstats } from '../../collectors/nfs.js';
import { parseRsyncDryRun, replicationSections } from '../../collectors/replication.js';
import { parseAddressPort, parseServiceSpec } from '../../src/actions/target-spec.js';

/**
 * Each crash, stall and wrong answer found by fuzzing the parsers, reproduced on a real capture with one line made
 * hostile. Timing is measured in the long fuzz run (bench/fuzz-long.ts), not here; these assert the answers.
 */
const fx = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const LIST = fx('healthy/nat-director/ipvsadm-Ln.txt');
const STATS = fx('healthy/nat-director/ipvsadm-Ln-stats.txt');
const PROC = fx('healthy/nat-director/proc-net-ip_vs.txt');
const THRESHOLDS = fx('actions/nat-director-thresholds.txt');
const KA_JSON = fx('healthy/director1/keepalived-json.txt');
const KA_DATA = fx('keepalived-netns/healthy-master.data');
const lineAfter = (text: string, n: number, line: string) => {
  const lines = text.split('\n');
  lines.splice(n, 0, line);
  return lines.join('\n');
};
const HOSTILE_LINE = `${' '.repeat(199_999)}x`;

describe('a 200,000-character line is refused with the line named, not scanned quadratically', () => {
  it.each([
    ['ipvsadm -L -n', () => parseIpvsList(lineAfter(LIST, 4, HOSTILE_LINE))],
    ['ipvsadm --stats', () => parseIpvsStats(lineAfter(STATS, 4, HOSTILE_LINE))],
    ['/proc/net/ip_vs', () => parseIpvsProc(lineAfter(PROC, 4, HOSTILE_LINE))],
    ['ipvsadm --thresholds', () => parseIpvsThresholds(lineAfter(THRESHOLDS, 4, HOSTILE_LINE))],
  ])('%s', (_name, parse) => {
    expect(parse()).toMatchObject({ ok: false, error: { kind: 'parse', line: 5, message: /longer than 4096/ } });
  });

  it('trailing spaces on real lines are still trimmed (the capture has them) and the table reads', () => {
    const r = parseIpvsList(
      LIST.replace('Masq    1      0          70        ', `Masq    1      0          70${' '.repeat(3000)}`),
    );
    expect(r.ok && r.value.services[0]!.realServers[0]).toMatchObject({ weight: 1, inactiveConns: 70 });
  });

  it('a service spec of 10,000 colons is refused (and a real IPv6 spec still parses)', () => {
    expect(() => parseServiceSpec(`tcp:[${':'.repeat(10_000)}]:80`)).toThrow(/service/);
    expect(() => parseAddressPort(':'.repeat(100), 'rs')).toThrow(/not an address/);
    expect(parseServiceSpec('tcp:[2001:db8::1]:443').key).toBe('TCP [2001:db8::1]:443');
    expect(() => parseAddressPort('00.18.11.40:80', 'rs')).toThrow(/not an address/);
  });
});

describe('out-of-range values are parse errors, not table entries', () => {
  it.each([
    ['weight 65536', LIST.replace('Masq    1      0          70', 'Masq    65536  0          70'), /weight/],
    ['port 99999', LIST.replace('192.168.60.40:80 ', '192.168.60.40:99999 '), /port/],
    ['fwmark 2^32', LIST.replace('FWM  1 sh', 'FWM  4294967296 sh'), /fwmark/],
    ['an address that is not one', LIST.replace('192.168.60.40:80 ', '192.168.60.400:80'), /address/],
    ['a table size past 32 bits', LIST.replace('(size=4096)', '(size=4294967296)'), /unrecognised line/],
  ])('ipvsadm -L -n with %s', (_name, text, message) => {
    expect(parseIpvsList(text)).toMatchObject({ ok: false, error: { kind: 'parse', message } });
  });

  it('ipvsadm --stats with a counter past 64 bits', () => {
    const text = STATS.replace('29228    38964', '29228    99999999999999999999');
    expect(parseIpvsStats(text)).toMatchObject({ ok: false, error: { message: /counter out of range/ } });
  });

  it('/proc/net/ip_vs with a weight out of range and a hex field that only starts as hex', () => {
    expect(parseIpvsProc(PROC.replace('Masq    1      0          70', 'Masq    70000  0          70'))).toMatchObject({
      ok: false,
      error: { message: /weight/ },
    });
    expect(parseIpvsProc(PROC.replace('FWM  00000001', 'FWM  0000001G'))).toMatchObject({ ok: false });
    expect(parseIpvsProcStats('     10E      4DD      42E            13614            1G12A\n')).toMatchObject({
      ok: false,
    });
  });

  it('keepalived JSON: last_transition >= 1e13, vrid 0, priority 256 are refused', () => {
    expect(parseKeepalivedJson(KA_JSON.replace(/"last_transition":[\d.]+/, '"last_transition":1e13'))).toMatchObject({
      ok: false,
      error: { message: /last_transition/ },
    });
    expect(parseKeepalivedJson(KA_JSON.replace('"vrid":51', '"vrid":0'))).toMatchObject({ ok: false });
    expect(parseKeepalivedJson(KA_JSON.replace('"base_priority":100', '"base_priority":256'))).toMatchObject({
      ok: false,
    });
  });

  it('keepalived data dump: vrid 0, a far-future transition; `State = toString` is UNKNOWN, never a function', () => {
    expect(parseKeepalivedData(KA_DATA.replace('Virtual Router ID = 51', 'Virtual Router ID = 0'))).toMatchObject({
      ok: false,
    });
    expect(
      parseKeepalivedData(KA_DATA.replace(/Last transition = \d+/, 'Last transition = 10000000000000')),
    ).toMatchObject({ ok: false });
    const r = parseKeepalivedData(KA_DATA.replace('   State = MASTER', '   State = toString'));
    expect(r.ok && r.value.instances[0]!.state).toBe('UNKNOWN');
  });

  it('notify log lines with times past the Date range are skipped', () => {
    const log = fx('healthy/director1/keepalived-notify-log.txt');
    const lines = parseNotifyLog(`${log}99999999999999999 VI_WEB MASTER\n`);
    expect(lines).toHaveLength(log.trim().split('\n').length);
    expect(() => lines.map((l) => new Date(l.at * 1000).toISOString())).not.toThrow();
  });

  it('MemAvailable above MemTotal is refused', () => {
    const text = fx('healthy/director1/proc-loadavg-uptime-meminfo.txt').replace(
      /MemAvailable:\s+\d+/,
      'MemAvailable: 99999999',
    );
    expect(parseHostProc(text)).toMatchObject({ ok: false, error: { message: /MemAvailable/ } });
  });

  it('mountstats numbers that are not whole counters (1e400) are refused', () => {
    const text = fx('failover/web1/proc-self-mountstats.txt').replace('GETATTR: 1 1 0', 'GETATTR: 1e400 1 0');
    expect(parseMountstats(text)).toMatchObject({ ok: false });
  });

  it('rsync transferred size beyond 64 bits is refused', () => {
    const text = fx('local/rsync-dry-pending.txt').replace(
      /Total transferred file size: [\d,]+/,
      `Total transferred file size: ${'9'.repeat(30)}`,
    );
    expect(parseRsyncDryRun(text)).toMatchObject({ ok: false });
  });
});

describe('JSON nested 100,000 deep is refused before JSON.parse spends ~100 ms on it', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  it('keepalived.json and ip -j addr', () => {
    expect(parseKeepalivedJson(deep)).toMatchObject({ ok: false, error: { message: /nested deeper/ } });
    expect(parseIpAddr(deep)).toMatchObject({ ok: false, error: { message: /nested deeper/ } });
  });
  it('brackets inside strings do not count; the captures still parse', () => {
    expect(parseKeepalivedJson(KA_JSON.replace('"auth_data":"lvs51"', `"auth_data":"${'['.repeat(100)}"`)).ok).toBe(
      true,
    );
    expect(parseIpAddr(fx('local/ip-addr.json')).ok).toBe(true);
  });
});

describe('no crash on shapes that threw', () => {
  it('ip -j addr with addr_info [null] keeps the other addresses', () => {
    const raw = JSON.parse(fx('local/ip-addr.json')) as { addr_info: unknown[] }[];
    raw[0]!.addr_info.unshift(null);
    const r = parseIpAddr(JSON.stringify(raw));
    expect(r.ok && r.value.map((a) => a.address)).toContain('127.0.0.1');
    expect(parseIpAddr(JSON.stringify([null, { ifname: 'x', addr_info: null }]))).toEqual({ ok: true, value: [] });
  });

  it('sysctl sections named __proto__ or toString become no keys and leave the prototype alone', () => {
    const section = (name: string) =>
      [`sysctl:${name}`, { id: `sysctl:${name}`, stdout: '1', stderr: '', exitCode: 0 }] as const;
    const out = sysctlsOf(new Map([section('__proto__'), section('toString'), section('net.ipv4.ip_forward')]));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['net.ipv4.ip_forward']);
  });
});

describe('counter rates', () => {
  const c = (n: number) => ({ conns: n, inPkts: n, outPkts: n, inBytes: n, outBytes: n });
  it('a counter reset gives no rate, never a negative one', () =>
    expect(counterRates(c(100), c(5), 2)).toBeUndefined());
  it('NaN, Infinity and negative counters or intervals give no rate', () => {
    expect(counterRates(c(1), c(Infinity), 2)).toBeUndefined();
    expect(counterRates(c(NaN), c(1), 2)).toBeUndefined();
    expect(counterRates(c(-5), c(1), 2)).toBeUndefined();
    expect(counterRates(c(1), c(3), NaN)).toBeUndefined();
    expect(counterRates(c(1), c(3), Infinity)).toBeUndefined();
  });
  it('a normal step gives per-second rates', () => expect(counterRates(c(10), c(30), 2)?.connsPerSec).toBe(10));
});

describe('config values that become operands come after --', () => {
  const s = replicationSections('data', 'source', {
    path: '/srv/data',
    heartbeatFile: '.hb',
    pusher: '-f',
    rsyncTarget: '--rsh=touch /tmp/x',
  });
  it('the pusher is a name compared with /proc, and rsync takes them as operands', () => {
    const argv = (id: string) => (s.find((x) => x.id === id) as unknown as { argv: string[] }).argv;
    expect(s.find((x) => x.id === 'pusher-data')).toEqual({ id: 'pusher-data', processNamed: '-f' });
    expect(argv('rsync-dry-data').slice(-3)).toEqual(['--', '/srv/data/', '--rsh=touch /tmp/x']);
  });
});
