/**
 * Fixtures: test/fixtures/conns/<state>/<host>.lnc.txt, `ipvsadm -Lnc` captured on the lvstop lab (kernel 6.1,
 * ipvsadm v1.31) by test/lab/capture-conn-fixtures.sh while the client held 4 idle TCP connections through each VIP
 * (ESTABLISHED, and one persistence template per VIP: the kernel prints it ASSURED, client port 0) and made 20 short
 * requests (TIME_WAIT on the NAT director, FIN_WAIT on the DR pair) and a few DNS queries (UDP, NAT director).
 * `live/`: both VIPs in use; director2 is the DR pair's BACKUP and holds what the sync daemon sent it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnTableReader, countIpvsConns, type ConnGroupCounts } from './ipvs-conns.js';

const fixture = (state: string, host: string) =>
  readFileSync(resolve(import.meta.dirname, '../test/fixtures/conns', state, `${host}.lnc.txt`), 'utf8');

const group = (groups: readonly ConnGroupCounts[], service: string, server: string) =>
  groups.find((g) => g.serviceKey === service && g.serverKey === server);

describe('countIpvsConns on captured tables', () => {
  it('counts the NAT director: active, inactive, templates and expiries per service and real server', () => {
    const r = countIpvsConns(fixture('live', 'nat-director'));
    expect(r).toMatchObject({ header: true, entries: 69, lines: 71, garbage: 0, truncated: false, ungrouped: 0 });
    expect(r.groups.map((g) => `${g.serviceKey} -> ${g.serverKey}`).sort()).toEqual([
      'TCP 172.16.60.22:80 -> 192.168.60.40:80',
      'UDP 172.16.60.22:53 -> 192.168.60.40:53',
      'UDP 172.16.60.22:53 -> 192.168.60.99:53',
    ]);
    const web = group(r.groups, 'TCP 172.16.60.22:80', '192.168.60.40:80')!;
    expect(web).toMatchObject({
      protocol: 'TCP',
      virtualAddress: '172.16.60.22',
      virtualPort: 80,
      serverAddress: '192.168.60.40',
      serverPort: 80,
      active: 4,
      inactive: 44,
      templates: 1,
      states: { ESTABLISHED: 4, TIME_WAIT: 44, ASSURED: 1 },
      longestConnExpiry: 14 * 60 + 49,
      longestTemplateExpiry: 53,
      shortestTemplateExpiry: 53,
    });
    // One client made every connection; the template (client port 0) is not a connection of it.
    expect(web.topClients).toEqual([{ address: '172.16.60.100', count: 48, error: 0 }]);
    const dns = group(r.groups, 'UDP 172.16.60.22:53', '192.168.60.99:53')!;
    expect(dns).toMatchObject({ active: 0, inactive: 10, templates: 0, states: { UDP: 10 } });
    expect(dns.longestConnExpiry).toBe(2 * 60 + 13);
    expect(dns.longestTemplateExpiry).toBeUndefined();
  });

  it('counts the DR pair: the MASTER with its idle connections, the BACKUP with what sync sent it', () => {
    const master = countIpvsConns(fixture('live', 'director1'));
    const backup = countIpvsConns(fixture('live', 'director2'));
    const key = ['TCP 10.18.11.40:80', '10.18.11.22:80'] as const;
    expect(master.groups).toHaveLength(1);
    expect(group(master.groups, ...key)).toMatchObject({
      active: 4,
      inactive: 44,
      templates: 1,
      states: { ESTABLISHED: 4, FIN_WAIT: 44, ASSURED: 1 },
      longestConnExpiry: 892,
      longestTemplateExpiry: 54,
    });
    // Connections under the sync threshold (idle ones) are never sent: the BACKUP has no ESTABLISHED entries.
    expect(group(backup.groups, ...key)).toMatchObject({
      active: 0,
      inactive: 44,
      templates: 1,
      longestConnExpiry: 115,
      longestTemplateExpiry: 55,
    });
    expect(backup.entries).toBe(45);
  });

  it('gives the same counts however the output is cut into chunks (strings or bytes)', () => {
    for (const host of ['nat-director', 'director1', 'director2']) {
      const text = fixture('backup-sync-down', host);
      const whole = countIpvsConns(text);
      for (const size of [1, 7, 64, 1000]) {
        const reader = new ConnTableReader();
        const bytes = Buffer.from(text);
        for (let i = 0; i < bytes.length; i += size)
          reader.feed(size % 2 ? text.slice(i, i + size) : new Uint8Array(bytes.subarray(i, i + size)));
        expect(reader.end(), `${host} in chunks of ${size}`).toEqual(whole);
      }
    }
  });

  it('counts a table read twice over, the second time with other padding, as twice its counts in the same groups', () => {
    // Lines of a pair share their tail (virtual, padding, destination) and are found by it; the same fields padded
    // otherwise are the same pair.
    for (const host of ['nat-director', 'director1', 'director2']) {
      const text = fixture('live', host);
      const once = countIpvsConns(text);
      const twice = countIpvsConns(`${text}\n${text.replace(/ +/g, ' ')}`);
      expect(twice).toMatchObject({ entries: 2 * once.entries, garbage: 0, ungrouped: 0 });
      expect(twice.groups).toEqual(
        once.groups.map((g) => ({
          ...g,
          active: 2 * g.active,
          inactive: 2 * g.inactive,
          templates: 2 * g.templates,
          states: Object.fromEntries(Object.entries(g.states).map(([k, n]) => [k, 2 * n])),
          topClients: g.topClients.map((c) => ({ ...c, count: 2 * c.count })),
        })),
      );
    }
  });

  it('counts garbage lines, keeps a few as samples and goes on counting entries', () => {
    const lines = fixture('live', 'director1').split('\n');
    lines.splice(5, 0, 'TCP 14:52  ESTABLISHED 10.18.11.100:99999 10.18.11.40:80 10.18.11.22:80');
    lines.splice(9, 0, 'TCP 1:52  ESTABLISHED 10.18.11.100:4 10.18.11.40:80 10.18.11.22:80');
    lines.splice(12, 0, 'ipvsadm: something went wrong', 'TCP 00:61  NONE 1.2.3.4:0 10.18.11.40:80 10.18.11.22:80');
    lines.splice(20, 0, `TCP ${'x'.repeat(5000)}`, 'TCP 00:10  NONE 1.2.3.4:0 10.18.11.40:80 10.18.11.22:80 extra');
    const r = countIpvsConns(lines.join('\n'));
    expect(r.garbage).toBe(6);
    expect(r.entries).toBe(49);
    expect(r.garbageSamples.map((g) => [g.line, g.reason])).toEqual([
      [6, 'source is not ADDR:PORT'],
      [10, 'expiry is not MM:SS'],
      [13, 'unknown protocol'],
      [14, 'expiry is not MM:SS'],
      [21, 'line longer than 4096 characters'],
    ]);
    expect(r.garbageSamples[2]!.text).toBe('ipvsadm: something went wrong');
  });

  it('checks the virtual and destination fields when they start a new group', () => {
    const head = fixture('live', 'director2');
    const r = countIpvsConns(
      [
        head,
        'TCP 00:10  NONE        10.18.11.100:0     10.18.11.40        10.18.11.22:80',
        'TCP 00:10  NONE        10.18.11.100:0     10.18.11.40:80     10.18.11.022:80',
        'TCP 00:10  NONE        10.18.11.100:0     10.18.11.40:80',
        'TCP 00:10  NONE        10.18.11.100:0     10.18.11.40:80     [10.18.11.22]:80',
      ].join('\n'),
    );
    expect(r.garbageSamples.map((g) => g.reason)).toEqual([
      'virtual is not ADDR:PORT',
      'destination is not ADDR:PORT',
      'fewer fields than an entry has',
      'destination is not ADDR:PORT',
    ]);
    expect(r.groups).toHaveLength(1);
    expect(r.entries).toBe(45);
  });

  it('says when the output is not the connection listing at all', () => {
    const r = countIpvsConns('Usage:\n  ipvsadm -A|E virtual-service [-s scheduler]\n');
    expect(r).toMatchObject({ header: false, entries: 0, garbage: 2 });
    expect(countIpvsConns('')).toMatchObject({ header: false, entries: 0, garbage: 0, lines: 0 });
  });

  it('stops at the line cap and says how far it read', () => {
    const text = fixture('live', 'nat-director');
    const reader = new ConnTableReader({ maxLines: 30 });
    expect(reader.feed(text)).toBe(false);
    expect(reader.feed(text)).toBe(false);
    const r = reader.end();
    expect(r).toMatchObject({ truncated: true, truncatedBy: 'lines', lines: 30, entries: 28 });
    expect(countIpvsConns(text, { maxLines: 71 }).truncated).toBe(false);
  });

  it('stops at the deadline, checked between chunks and every 1,024 lines', () => {
    const body = fixture('live', 'director1').split('\n').slice(2).join('\n');
    let now = 0;
    const reader = new ConnTableReader({ deadline: 100, now: () => now });
    expect(reader.feed(fixture('live', 'director1'))).toBe(true);
    now = 101;
    expect(reader.feed(body)).toBe(false);
    expect(reader.end()).toMatchObject({ truncated: true, truncatedBy: 'deadline', entries: 49 });

    now = 0;
    const long = new ConnTableReader({ deadline: 100, now: () => (now += 1) });
    let fed = 0;
    while (long.feed(body + '\n')) fed++;
    const r = long.end();
    expect(r.truncatedBy).toBe('deadline');
    expect(r.lines).toBeLessThan(fed * 49 + 2 * 1024 + 49);
  });

  it('reads IPv6 entries and fwmark templates as ipvsadm prints them', () => {
    // No IPv6 service in the lab: lines made with print_conn's format ("%-3s %-6s %-11s %-18s %-18s %s").
    const text = [
      'IPVS connection entries',
      'pro expire state       source             virtual            destination',
      'TCP 14:59  ESTABLISHED [2001:db8::7]:40000 [2001:db8::1]:80  [2001:db8::10]:80',
      'TCP 00:49  ASSURED     [2001:db8::7]:0    [2001:db8::1]:80   [2001:db8::10]:80',
      'IP  1440:00 NONE       10.0.0.9:0         0.0.0.3:0          10.18.11.21:0',
    ].join('\n');
    const r = countIpvsConns(text);
    expect(r.garbage).toBe(0);
    expect(r.groups[0]).toMatchObject({
      serviceKey: 'TCP [2001:db8::1]:80',
      serverKey: '[2001:db8::10]:80',
      active: 1,
      templates: 1,
      topClients: [{ address: '2001:db8::7', count: 1, error: 0 }],
    });
    expect(r.groups[1]).toMatchObject({ serviceKey: 'FWM 3', templates: 1, longestTemplateExpiry: 86400 });
  });
});
