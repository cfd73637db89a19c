import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interpretIpvs } from './ipvs-collector.js';
import { mergeIpvsStats, parseIpvsList, parseIpvsStats } from './ipvs-list.js';
import { parseIpvsProc, parseIpvsProcStats } from './ipvs-proc.js';
import { tableRates } from './ipvs-rates.js';
import { realServerKey, sameRealServer, sameService, serviceKeyOf, type IpvsService } from './ipvs-types.js';
import { matchByKey } from './match-by-key.js';

const fx = (path: string) => readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');
const section = (id: string, stdout: string, exitCode: number | null = 0, stderr = '') =>
  [id, { id, stdout, stderr, exitCode }] as const;

describe('parseIpvsList on lab captures', () => {
  it('reads TCP, UDP and fwmark services of the NAT director with persistence and Masq real servers', () => {
    const r = parseIpvsList(fx('healthy/nat-director/ipvsadm-Ln.txt'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ version: '1.2.1', tableSize: 4096 });
    expect(r.value.services.map((s) => [s.key, s.scheduler, s.persistence ?? null])).toEqual([
      ['TCP 172.16.60.22:80', 'wlc', 30],
      ['UDP 172.16.60.22:53', 'rr', null],
      ['FWM 1', 'sh', null],
    ]);
    expect(r.value.services[0]!.realServers).toEqual([
      { address: '192.168.60.40', port: 80, forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 70 },
      { address: '192.168.60.99', port: 80, forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 0 },
    ]);
    expect(r.value.services[2]).toMatchObject({ protocol: 'FWM', fwmark: 1 });
  });

  it('reads the DR service with Route real servers on both keepalived directors', () => {
    for (const d of ['director1', 'director2']) {
      const r = parseIpvsList(fx(`healthy/${d}/ipvsadm-Ln.txt`));
      expect(r.ok && r.value.services.map((s) => [s.key, s.scheduler, s.persistence])).toEqual([
        ['TCP 10.18.11.40:80', 'rr', 50],
      ]);
      expect(r.ok && r.value.services[0]!.realServers.map((x) => [x.address, x.forward, x.weight])).toEqual([
        ['10.18.11.21', 'Route', 100],
        ['10.18.11.22', 'Route', 100],
      ]);
    }
  });

  it('shows a drained real server with weight 0', () => {
    const r = parseIpvsList(fx('rs-drained/nat-director/ipvsadm-Ln.txt'));
    expect(r.ok && r.value.services[0]!.realServers.find((x) => x.address === '192.168.60.99')?.weight).toBe(0);
  });

  it('reads an empty table (a host with ip_vs but no services)', () => {
    expect(parseIpvsList(fx('healthy/real1/ipvsadm-Ln.txt'))).toEqual({
      ok: true,
      value: { version: '1.2.1', tableSize: 4096, services: [] },
    });
  });

  it('gives typed parse errors for garbage and for other output', () => {
    expect(parseIpvsList('garbage')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(parseIpvsList(fx('healthy/nat-director/ipvsadm-Ln-stats.txt'))).toMatchObject({
      ok: false,
      error: { line: 4 },
    });
    const cut = fx('healthy/nat-director/ipvsadm-Ln.txt').replace('Masq    1      0          70', 'Masq    x');
    expect(parseIpvsList(cut)).toMatchObject({ ok: false, error: { line: 5 } });
  });
});

describe('stats, merge and rates', () => {
  it('attaches exact counters to services and real servers', () => {
    const list = parseIpvsList(fx('healthy/nat-director/ipvsadm-Ln.txt'));
    const stats = parseIpvsStats(fx('healthy/nat-director/ipvsadm-Ln-stats.txt'));
    expect(list.ok && stats.ok).toBe(true);
    if (!list.ok || !stats.ok) return;
    const t = mergeIpvsStats(list.value, stats.value);
    expect(t.services[0]!.counters).toEqual({ conns: 70, inPkts: 449, outPkts: 402, inBytes: 29228, outBytes: 38964 });
    expect(t.services[1]!.realServers[1]!.counters).toEqual({
      conns: 35,
      inPkts: 35,
      outPkts: 12,
      inBytes: 1460,
      outBytes: 830,
    });
    expect(t.services[2]!.counters?.conns).toBe(70);
  });

  it('computes rates from two real reads of the same table', () => {
    const read = (state: string) => {
      const l = parseIpvsList(fx(`${state}/nat-director/ipvsadm-Ln.txt`));
      const s = parseIpvsStats(fx(`${state}/nat-director/ipvsadm-Ln-stats.txt`));
      if (!l.ok || !s.ok) throw new Error('fixture did not parse');
      return mergeIpvsStats(l.value, s.value);
    };
    const before = read('healthy');
    const after = read('rs-drained');
    const r = tableRates(before, after, 10);
    const tcp = r.services.get('TCP 172.16.60.22:80')!;
    expect(tcp.connsPerSec).toBeCloseTo(
      (after.services[0]!.counters!.conns - before.services[0]!.counters!.conns) / 10,
      6,
    );
    expect(tcp.connsPerSec).toBeGreaterThan(0);
    // Counters that went backwards (table re-created) give no rate rather than a negative one.
    expect(tableRates(after, before, 10).services.has('TCP 172.16.60.22:80')).toBe(false);
  });
});

describe('matchByKey on a captured table', () => {
  const table = () => {
    const l = parseIpvsList(fx('healthy/nat-director/ipvsadm-Ln.txt'));
    if (!l.ok) throw new Error('fixture did not parse');
    return l.value;
  };
  const keys = (items: readonly (IpvsService | undefined)[]) => items.map((s) => s?.key);

  it('pairs every service of the same table read twice, in place', () => {
    const a = table();
    const b = table();
    const m = matchByKey(a.services, b.services, sameService, serviceKeyOf);
    expect(keys(m.matched)).toEqual(keys(b.services));
    expect(m.matched.every((s, i) => s === a.services[i])).toBe(true);
    expect(m.removed).toEqual([]);
  });

  it('pairs by key when the order changed, and names what was added and removed', () => {
    const a = table();
    const [first, second, ...rest] = table().services;
    expect(first && second).toBeTruthy();
    // The second read: the first service is gone, the rest come in reverse order, a real server list lost its head.
    const moved = [...rest].reverse();
    const m = matchByKey(a.services, [second!, ...moved], sameService, serviceKeyOf);
    expect(keys(m.matched)).toEqual([second!.key, ...moved.map((s) => s.key)]);
    expect(keys(m.removed)).toEqual([first!.key]);
    const rs = second!.realServers;
    const r = matchByKey(rs, rs.slice(1), sameRealServer, realServerKey);
    expect(r.matched.map((x) => x && realServerKey(x))).toEqual(rs.slice(1).map(realServerKey));
    expect(r.removed.map(realServerKey)).toEqual([realServerKey(rs[0]!)]);
    expect(matchByKey([], rs, sameRealServer, realServerKey).matched).toEqual(rs.map(() => undefined));
  });
});

describe('/proc/net/ip_vs fallback', () => {
  it('decodes hex addresses, ports and fwmarks to the same services as ipvsadm', () => {
    const proc = parseIpvsProc(fx('healthy/nat-director/proc-net-ip_vs.txt'));
    const list = parseIpvsList(fx('healthy/nat-director/ipvsadm-Ln.txt'));
    expect(proc.ok && list.ok).toBe(true);
    if (!proc.ok || !list.ok) return;
    expect(proc.value.services.map((s) => s.key)).toEqual(list.value.services.map((s) => s.key));
    expect(proc.value.services.map((s) => s.realServers)).toEqual(list.value.services.map((s) => s.realServers));
    expect(proc.value.services[0]!.flags).toEqual(['persistent 7500 jiffies']);
  });

  it('reads the director-wide totals from /proc/net/ip_vs_stats', () => {
    expect(parseIpvsProcStats(fx('healthy/nat-director/proc-net-ip_vs_stats.txt'))).toEqual({
      ok: true,
      value: { conns: 0xd2, inPkts: 0x3cb, outPkts: 0x337, inBytes: 0xf1ba, outBytes: 0x135e0 },
    });
  });
});

describe('interpretIpvs: where the data came from, and why not', () => {
  it('prefers ipvsadm and merges stats', () => {
    const r = interpretIpvs(
      new Map([
        section('ipvs-list', fx('healthy/nat-director/ipvsadm-Ln.txt')),
        section('ipvs-stats', fx('healthy/nat-director/ipvsadm-Ln-stats.txt')),
        section('ipvs-proc-stats', fx('healthy/nat-director/proc-net-ip_vs_stats.txt')),
      ]),
    );
    expect(r).toMatchObject({ status: 'ok', source: 'ipvsadm', totals: { conns: 210 } });
  });

  it('falls back to /proc when ipvsadm is missing, and says so', () => {
    const r = interpretIpvs(
      new Map([
        section('ipvs-list', '', 127, 'sh: 1: ipvsadm: not found'),
        section('ipvs-proc', fx('healthy/nat-director/proc-net-ip_vs.txt')),
      ]),
    );
    expect(r).toMatchObject({ status: 'ok', source: 'proc', note: expect.stringContaining('not installed') });
  });

  it('reports ip_vs not loaded when the guard failed, and ipvsadm errors by kind', () => {
    expect(interpretIpvs(new Map([section('ipvs-list', '', null)]))).toMatchObject({ status: 'not-loaded' });
    const noKernel = interpretIpvs(new Map([section('ipvs-list', '', 2, fx('no-ipvs/local/ipvsadm-Ln.stderr.txt'))]));
    expect(noKernel).toEqual({
      status: 'error',
      kind: 'exit-code',
      message: "ipvsadm exited 2: Can't initialize ipvs: Protocol not available",
    });
    const denied = interpretIpvs(
      new Map([section('ipvs-list', '', 2, "Can't initialize ipvs: Permission denied (you must be root)")]),
    );
    expect(denied).toMatchObject({ status: 'error', kind: 'permission' });
    expect(interpretIpvs(new Map([section('ipvs-list', 'garbage')]))).toMatchObject({ status: 'error', kind: 'parse' });
  });
});
