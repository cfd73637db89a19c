import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extrasOf, interpretIpvs, interpretIpvsFromProc } from './ipvs-collector.js';
import type { ListExtras } from './ipvs-proc-merge.js';
import type { SectionOutput } from './section.js';

const fx = (path: string) => readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');
const out = (id: string, stdout: string, exitCode: number | null = 0, stderr = ''): [string, SectionOutput] => [
  id,
  { id, stdout, stderr, exitCode },
];

/** A lab director's captures: the poll that reads the full list, and the one that reads /proc and --stats alone. */
function captures(dir: string, proc = fx(`${dir}/proc-net-ip_vs.txt`)) {
  const shared = [
    out('ipvs-stats', fx(`${dir}/ipvsadm-Ln-stats.txt`)),
    out('ipvs-proc', proc),
    out('ipvs-proc-stats', fx(`${dir}/proc-net-ip_vs_stats.txt`)),
  ];
  const full = new Map([out('ipvs-list', fx(`${dir}/ipvsadm-Ln.txt`)), ...shared]);
  return { full, light: new Map(shared) };
}

function extrasFrom(full: ReadonlyMap<string, SectionOutput>): ListExtras {
  const extras = extrasOf(full, interpretIpvs(full));
  expect(extras).toBeDefined();
  return extras!;
}

describe('a poll without the list: /proc/net/ip_vs, --stats and the last list', () => {
  it.each([
    'healthy/nat-director',
    'healthy/director1',
    'healthy/director2',
    'proc-merge/nat-director',
    'proc-merge/director1',
    'proc-merge/director2',
  ])('%s: the same reading as the full poll, with persistence in seconds and the list order', (dir) => {
    const { full, light } = captures(dir);
    const r = interpretIpvsFromProc(light, extrasFrom(full));
    expect(r.listNow).toBe(false);
    expect(r.reading).toEqual(interpretIpvs(full));
  });

  it('keeps the list order where the kernel lists real servers in another (director1)', () => {
    const proc = fx('healthy/director1/proc-net-ip_vs.txt');
    expect(proc.indexOf('0A120B16:0050')).toBeLessThan(proc.indexOf('0A120B15:0050'));
    const { full, light } = captures('healthy/director1');
    const r = interpretIpvsFromProc(light, extrasFrom(full));
    expect(r.reading.status === 'ok' && r.reading.table.services[0]!.realServers.map((x) => x.address)).toEqual([
      '10.18.11.21',
      '10.18.11.22',
    ]);
  });

  it('shows a weight changed since the list at once, without asking for the list', () => {
    const dir = 'healthy/nat-director';
    const { full } = captures(dir);
    const changed = fx(`${dir}/proc-net-ip_vs.txt`).replace(
      /(UDP {2}AC103C16:0035 rr[^\n]*\n {2}-> C0A83C28:0035 +Masq +)1 /,
      '$10 ',
    );
    expect(changed).not.toBe(fx(`${dir}/proc-net-ip_vs.txt`));
    const r = interpretIpvsFromProc(captures(dir, changed).light, extrasFrom(full));
    expect(r.listNow).toBe(false);
    const udp =
      r.reading.status === 'ok' ? r.reading.table.services.find((s) => s.key === 'UDP 172.16.60.22:53') : null;
    expect(udp?.realServers.map((x) => [x.address, x.weight])).toEqual([
      ['192.168.60.40', 0],
      ['192.168.60.99', 1],
    ]);
    expect(udp?.counters?.conns).toBe(70);
  });

  it('asks for the list when a service changed its scheduler or persistence, and shows /proc meanwhile', () => {
    const dir = 'healthy/nat-director';
    const { full } = captures(dir);
    const extras = extrasFrom(full);
    const rescheduled = fx(`${dir}/proc-net-ip_vs.txt`).replace(
      '0050 wlc  persistent 7500',
      '0050 rr  persistent 7500',
    );
    const r1 = interpretIpvsFromProc(captures(dir, rescheduled).light, extras);
    expect(r1.listNow).toBe(true);
    const tcp1 = r1.reading.status === 'ok' ? r1.reading.table.services[0] : undefined;
    expect(tcp1).toMatchObject({ scheduler: 'rr', flags: ['persistent 7500 jiffies'] });
    expect(tcp1?.persistence).toBeUndefined();
    const longer = fx(`${dir}/proc-net-ip_vs.txt`).replace('persistent 7500', 'persistent 15000');
    const r2 = interpretIpvsFromProc(captures(dir, longer).light, extras);
    expect(r2.listNow).toBe(true);
    expect(r2.reading.status === 'ok' && r2.reading.table.services[0]!.flags).toEqual(['persistent 15000 jiffies']);
  });

  it('knows an IPv6 fwmark service by its real servers, though the kernel prints no family for it', () => {
    const dir = 'proc-merge/nat-director';
    const { full, light } = captures(dir);
    expect(fx(`${dir}/proc-net-ip_vs.txt`)).toMatch(/^FWM {2}0000004D rr $/m);
    const r = interpretIpvsFromProc(light, extrasFrom(full));
    expect(r.listNow).toBe(false);
    expect(r.reading.status === 'ok' && r.reading.table.services.map((s) => s.key)).toContain('FWM 77 IPv6');
  });

  it('asks for the list when a fwmark service cannot be told apart (no real servers, or one mark twice)', () => {
    const dir = 'proc-merge/nat-director';
    const { full } = captures(dir);
    const extras = extrasFrom(full);
    const proc = fx(`${dir}/proc-net-ip_vs.txt`);
    const emptied = proc.replace(/ {2}-> \[fd00:[^\n]*\n/g, '');
    expect(emptied).not.toBe(proc);
    expect(interpretIpvsFromProc(captures(dir, emptied).light, extras).listNow).toBe(true);
    const twice = proc.replace('FWM  0000004D rr \n', 'FWM  00000001 rr \nFWM  0000004D rr \n');
    expect(twice).not.toBe(proc);
    const r = interpretIpvsFromProc(captures(dir, twice).light, extras);
    expect(r.listNow).toBe(true);
    const fwm1 = r.reading.status === 'ok' ? r.reading.table.services.filter((s) => s.key === 'FWM 1') : [];
    expect(fwm1.map((s) => [s.scheduler, s.realServers.length])).toEqual([
      ['sh', 2],
      ['rr', 0],
    ]);
  });

  it('asks for the list when a service is not in it (added since)', () => {
    const { full, light } = captures('healthy/nat-director');
    const extras = new Map(extrasFrom(full));
    extras.delete('FWM 1');
    const r = interpretIpvsFromProc(light, extras);
    expect(r.listNow).toBe(true);
    expect(r.reading.status === 'ok' && r.reading.table.services.map((s) => s.key)).toEqual([
      'TCP 172.16.60.22:80',
      'UDP 172.16.60.22:53',
      'FWM 1',
    ]);
  });

  it('falls back to /proc, says why and asks for the list when ipvsadm --stats fails', () => {
    const { full, light } = captures('healthy/nat-director');
    light.set('ipvs-stats', { id: 'ipvs-stats', stdout: '', stderr: 'sh: 1: ipvsadm: not found', exitCode: 127 });
    const r = interpretIpvsFromProc(light, extrasFrom(full));
    expect(r.listNow).toBe(true);
    expect(r.reading).toMatchObject({ status: 'ok', source: 'proc', note: expect.stringContaining('not installed') });
    expect(r.reading.status === 'ok' && r.reading.table.services[0]!.counters).toBeUndefined();
  });

  it('reports garbage in /proc/net/ip_vs or in --stats as a parse error, and asks for the list', () => {
    const { full, light } = captures('healthy/nat-director');
    const extras = extrasFrom(full);
    const garbage = new Map(light).set('ipvs-proc', { id: 'ipvs-proc', stdout: 'garbage\n', stderr: '', exitCode: 0 });
    expect(interpretIpvsFromProc(garbage, extras)).toEqual({
      reading: { status: 'error', kind: 'parse', message: expect.stringMatching(/^\/proc\/net\/ip_vs: .*\(line 1\)$/) },
      listNow: true,
    });
    const badStats = new Map(light).set('ipvs-stats', { id: 'ipvs-stats', stdout: 'x', stderr: '', exitCode: 0 });
    expect(interpretIpvsFromProc(badStats, extras)).toMatchObject({
      reading: { status: 'error', message: expect.stringMatching(/^ipvsadm --stats: /) },
      listNow: true,
    });
  });

  it('says ip_vs is not loaded when the guard failed', () => {
    const r = interpretIpvsFromProc(new Map([out('ipvs-proc', '', null)]), new Map());
    expect(r).toEqual({ reading: expect.objectContaining({ status: 'not-loaded' }), listNow: true });
  });

  it('keeps no list facts from a poll where ipvsadm failed or /proc was unreadable', () => {
    const { full } = captures('healthy/nat-director');
    const failed = new Map(full).set('ipvs-list', { id: 'ipvs-list', stdout: '', stderr: 'x', exitCode: 2 });
    expect(extrasOf(failed, interpretIpvs(failed))).toBeUndefined();
    const noProc = new Map(full).set('ipvs-proc', { id: 'ipvs-proc', stdout: '', stderr: 'denied', exitCode: 1 });
    expect(extrasOf(noProc, interpretIpvs(noProc))).toBeUndefined();
  });
});
