import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpvsList } from './ipvs-list.js';
import { parseIpvsSave, type SavedService } from './ipvs-save.js';

// Fixtures: test/fixtures/init/<host>/ipvsadm-S-n*.txt, captured on the lab (README.md there).
const FIXTURES = resolve(import.meta.dirname, '../test/fixtures');
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), 'utf8');

function parsed(name: string): readonly SavedService[] {
  const r = parseIpvsSave(fixture(name));
  if (!r.ok) throw new Error(`${name}: ${r.error.message} (line ${r.error.line})`);
  return r.value;
}

describe('parseIpvsSave on the lab', () => {
  it('nat-director: TCP, UDP and fwmark services with Masq real servers', () => {
    const services = parsed('init/nat-director/ipvsadm-S-n.txt');
    expect(services.map((s) => [s.key, s.scheduler, s.persistence])).toEqual([
      ['TCP 172.16.60.22:80', 'wlc', 30],
      ['UDP 172.16.60.22:53', 'rr', undefined],
      ['FWM 1', 'sh', undefined],
    ]);
    expect(services[0]!.realServers).toEqual([
      { address: '192.168.60.40', port: 80, forward: 'Masq', weight: 1 },
      { address: '192.168.60.99', port: 80, forward: 'Masq', weight: 1 },
    ]);
    expect(services[2]).toMatchObject({ protocol: 'FWM', fwmark: 1, ipv6: false });
  });

  it('director1: the DR service keepalived made, Route real servers with weight 100', () => {
    const [svc, ...rest] = parsed('init/director1/ipvsadm-S-n.txt');
    expect(rest).toEqual([]);
    expect(svc).toMatchObject({ key: 'TCP 10.18.11.40:80', scheduler: 'rr', persistence: 50 });
    expect(svc!.realServers.map((r) => [r.address, r.forward, r.weight])).toEqual([
      ['10.18.11.21', 'Route', 100],
      ['10.18.11.22', 'Route', 100],
    ]);
  });

  it('gives the same service keys as ipvsadm -Ln on the same host', () => {
    const listed = parseIpvsList(fixture('healthy/nat-director/ipvsadm-Ln.txt'));
    if (!listed.ok) throw new Error(listed.error.message);
    expect(
      parsed('init/nat-director/ipvsadm-S-n.txt')
        .map((s) => s.key)
        .sort(),
    ).toEqual(listed.value.services.map((s) => s.key).sort());
  });
});

describe('parseIpvsSave on scratch services (every field of the save format)', () => {
  const services = parsed('init/nat-director/ipvsadm-S-n-scratch.txt');
  const byKey = (key: string) => services.find((s) => s.key === key);

  it('persistence netmask and scheduler flags', () => {
    expect(byKey('TCP 172.16.60.22:9999')).toMatchObject({
      scheduler: 'sh',
      persistence: 30,
      persistenceMask: '255.255.255.0',
      schedulerFlags: ['sh-fallback', 'sh-port'],
    });
    expect(byKey('TCP 172.16.60.22:9999')?.realServers.map((r) => [r.address, r.port, r.weight])).toEqual([
      ['192.168.60.40', 9999, 0],
      ['192.168.60.99', 9999, 5],
    ]);
  });

  it('IPv6 service with a prefix-length netmask, and an IPv6 firewall mark', () => {
    expect(byKey('TCP [2001:db8::40]:443')).toMatchObject({
      address: '2001:db8::40',
      port: 443,
      ipv6: true,
      persistence: 60,
      persistenceMask: '64',
      realServers: [{ address: '2001:db8::99', port: 443, forward: 'Masq', weight: 2 }],
    });
    expect(byKey('FWM 77 IPv6')).toMatchObject({
      protocol: 'FWM',
      fwmark: 77,
      ipv6: true,
      scheduler: 'rr',
      realServers: [{ address: '2001:db8::98', port: 0, forward: 'Masq', weight: 1 }],
    });
  });

  it('the lab services are there too, in the order saved', () => {
    expect(services.map((s) => s.key)).toEqual([
      'TCP 172.16.60.22:80',
      'TCP 172.16.60.22:9999',
      'UDP 172.16.60.22:53',
      'TCP [2001:db8::40]:443',
      'FWM 1',
      'FWM 77 IPv6',
    ]);
  });
});

describe('odd input', () => {
  it('an empty table is no services', () => {
    expect(parseIpvsSave('')).toEqual({ ok: true, value: [] });
  });

  it('a line that is not a rule is a parse error naming it', () => {
    const text = fixture('init/nat-director/ipvsadm-S-n.txt') + 'IP Virtual Server version 1.2.1\n';
    const r = parseIpvsSave(text);
    expect(r).toMatchObject({ ok: false, error: { kind: 'parse', line: text.split('\n').length - 1 } });
  });

  it('a real server before its service is a parse error', () => {
    const lines = fixture('init/nat-director/ipvsadm-S-n.txt').split('\n');
    expect(parseIpvsSave(lines.slice(1).join('\n'))).toMatchObject({ ok: false, error: { line: 1 } });
  });

  it('never throws on any cut of the captured output', () => {
    const text = fixture('init/nat-director/ipvsadm-S-n.txt');
    for (let cut = 0; cut < text.length; cut += 7) expect(() => parseIpvsSave(text.slice(0, cut))).not.toThrow();
  });
});
