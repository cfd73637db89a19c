/**
 * Fixtures: test/fixtures/conns/<state>/<host>.lnc.txt, `ipvsadm -Lnc` captured on the lvstop lab (kernel 6.1,
 * ipvsadm v1.31) by test/lab/capture-conn-fixtures.sh while the client held 4 idle TCP connections through each VIP
 * (ESTABLISHED, and one persistence template per VIP: the kernel prints it ASSURED, client port 0) and made 20 short
 * requests (TIME_WAIT on the NAT director, FIN_WAIT on the DR pair) and a few DNS queries (UDP, NAT director).
 * `live/`: both VIPs in use; director2 is the DR pair's BACKUP and holds what the sync daemon sent it.
 * `generated-20000.counts.json`: what the reader counted (16 top clients) in connTableText(20000, 5, 4, 2000) of
 * bench/conn-table-gen.ts before lines of the common shape were read by position and counts kept in shared arrays
 * (commit 0a1a270): that change had to count every table the same. Its top clients are plain space-saving's, kept
 * from before the summary was filtered (top-clients.ts): the filtered summary's are checked against exact counts.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exactClientCounts } from '../bench/conn-table-accuracy.js';
import { connTableText } from '../bench/conn-table-gen.js';
import { CONN_STATES } from './ipvs-conn-line.js';
import {
  ConnTableReader,
  countIpvsConns,
  type ConnGroupCounts,
  type ConnReadOptions,
  type ConnTableCounts,
} from './ipvs-conns.js';

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

  it('names an IPv6 top client by its own text, however long, until another client takes its slot', () => {
    const long = (n: number) => `${'0000:'.repeat(9)}${n}:192.0.2.1`;
    const ipv4 = Array.from({ length: 14 }, (_, i) => `10.0.0.${i + 1}`);
    // 16 clients fill the 16 slots once each. Each client after them comes twice: its first line only counts in its
    // filter cell (1, no more than the smallest held), its second takes the lowest slot with the smallest count, with
    // count 2 and error 1: the first three clients' slots.
    const clients = ['2001:db8::7', long(1), ...ipv4];
    const newcomers = ['10.0.0.99', long(2), '2001:db8::8'];
    const source = (c: string) => (c.includes(':') ? `[${c}]:40000` : `${c}:40000`).padEnd(18);
    const text = [...clients, ...newcomers.flatMap((c) => [c, c])].map(
      (c) => `TCP 14:59  ESTABLISHED ${source(c)} 172.16.0.1:80      192.168.60.40:80`,
    );
    expect(long(2).length).toBeGreaterThan(48);
    expect(countIpvsConns(text.join('\n'), { topClients: 16 }).groups[0]!.topClients).toEqual([
      // Ties in count are listed by address, as text.
      ...[...newcomers].sort().map((address) => ({ address, count: 2, error: 1 })),
      ...ipv4
        .slice(1)
        .sort()
        .map((address) => ({ address, count: 1, error: 0 })),
    ]);
  });
});

/** Read `bytes` in chunks cut at `cuts` (offsets into it). */
function readCut(bytes: Uint8Array, cuts: readonly number[], options?: ConnReadOptions) {
  const reader = new ConnTableReader(options);
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.feed(bytes.subarray(at, cut));
    at = cut;
  }
  return reader.end();
}

const HOSTS = ['nat-director', 'director1', 'director2'];
const CAPTURES = ['live', 'backup-sync-down'].flatMap((state) => HOSTS.map((host) => [state, host] as const));

describe('lines of the common shape, read by position, count as the general grammar counts them', () => {
  it.each(CAPTURES)('%s/%s: the same counts whole, read the general way, and cut at every byte', (state, host) => {
    const text = fixture(state, host);
    const whole = countIpvsConns(text);
    expect(whole.garbage).toBe(0);
    expect(countIpvsConns(text, { generalOnly: true })).toEqual(whole);
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) expect(readCut(bytes, [cut]), `cut at ${cut}`).toEqual(whole);
  });

  it('counts a generated table of 100,000 entries as the general grammar does, in 64 KiB chunks', () => {
    const table = connTableText(100_000);
    const bytes = Buffer.from(table.text);
    const cuts = Array.from({ length: Math.floor(bytes.length / 65536) }, (_, i) => (i + 1) * 65536);
    const common = readCut(bytes, cuts, { topClients: 16 });
    expect(common).toMatchObject({ entries: table.entries, garbage: 0, header: true, ungrouped: 0 });
    expect(common.groups.length).toBeGreaterThan(700);
    const sum = (f: (g: ConnGroupCounts) => number) => common.groups.reduce((n, g) => n + f(g), 0);
    expect([sum((g) => g.templates), sum((g) => g.active)]).toEqual([table.templates, table.established]);
    expect(readCut(bytes, cuts, { topClients: 16, generalOnly: true })).toEqual(common);
    // Chunks that cut lines at other places.
    expect(readCut(bytes, [1, 77, 4097, 65537, 1_000_003], { topClients: 16 })).toEqual(common);
  });

  it('counts a generated table as the reader did before this path existed', () => {
    const expected: unknown = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../test/fixtures/conns/generated-20000.counts.json'), 'utf8'),
    );
    const text = connTableText(20_000, 5, 4, 2000).text;
    const withoutTop = (r: ConnTableCounts) => ({ ...r, groups: r.groups.map(({ topClients: _, ...g }) => g) });
    expect(withoutTop(countIpvsConns(text, { topClients: 16 }))).toEqual(withoutTop(expected as ConnTableCounts));
    expect(withoutTop(countIpvsConns(text, { topClients: 16, generalOnly: true }))).toEqual(
      withoutTop(expected as ConnTableCounts),
    );
  });

  it('lists top clients whose true counts lie within the bounds given, the heaviest first in most groups', async () => {
    const text = connTableText(200_000, 20, 8, 20_000).text;
    const exact = await exactClientCounts(text.split('\n'));
    const r = countIpvsConns(text, { topClients: 5 });
    expect(r.groups).toHaveLength(exact.size);
    let heaviestFirst = 0;
    let listed = 0;
    for (const g of r.groups) {
      const counts = exact.get(`${g.protocol} ${g.serviceKey.split(' ')[1]} ${g.serverKey}`)!;
      for (const c of g.topClients) {
        const truth = counts.get(c.address) ?? 0;
        expect(truth, `${g.serverKey} ${c.address}`).toBeGreaterThanOrEqual(c.count - c.error);
        expect(truth, `${g.serverKey} ${c.address}`).toBeLessThanOrEqual(c.count);
        listed++;
      }
      const most = Math.max(...counts.values());
      if (counts.get(g.topClients[0]!.address) === most) heaviestFirst++;
    }
    expect(listed).toBe(5 * r.groups.length);
    // 320 servers of about 590 connections from about 370 clients each. Plain space-saving (every new client takes a
    // slot) listed the heaviest first in 175 of them; filtered, 318.
    expect(heaviestFirst).toBeGreaterThanOrEqual(Math.round(0.9 * r.groups.length));
  });

  it('leaves lines of other shapes to the general grammar, with the same counts and the same garbage', () => {
    // Each line is close to the common shape and off in one way (or fine where the shape does not look).
    const odd = [
      'TCP 14:59  ESTABLISHED [2001:db8::7]:40000 [2001:db8::1]:80  [2001:db8::10]:80', // IPv6 pair
      'TCP 00:49  ASSURED     10.0.0.7:0         [2001:db8::1]:80   [2001:db8::10]:80', // IPv4 client, IPv6 pair
      'TCP 01:00  SYN_RECV    [2001:DB8::7]:40000 10.0.0.1:80       10.0.0.2:80', // IPv6 client, IPv4 pair
      'TCP 01:00  SYN_RECV    [2001:db8::g]:40000 10.0.0.1:80       10.0.0.2:80', // not hex
      'TCP 01:00  SYN_RECV    [2001db8]:40000    10.0.0.1:80        10.0.0.2:80', // no colon
      'IP  1440:00 NONE       10.0.0.9:0         0.0.0.3:0          10.18.11.21:0', // fwmark template, long expiry
      'SCTP 01:00  ESTABLISHED 10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // wider protocol
      'TCP 100:00 ESTABLISHED 10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // three-digit minutes
      'TCP 1000:00 ESTABLISHED 10.0.0.9:5000     10.0.0.1:80        10.0.0.2:80', // four: the state moves
      'TCP 1:00   ESTABLISHED 10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // one-digit minutes
      'TCP 01:60  ESTABLISHED 10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // 60 seconds
      'TCP 01:00  COOKIE_REPLIED 10.0.0.9:5000   10.0.0.1:80        10.0.0.2:80', // state wider than its column
      'TCP 01:00  NEW_STATE   10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // a state not in CONN_STATES
      'TCP 01:00  NEW_STATE   10.0.0.9:0         10.0.0.1:80        10.0.0.2:80', // ... of a template
      'TCP 01:00  ESTABLISHE  10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // a known state cut short
      'TCP 01:00  established 10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // lower case
      'TCP 01:00  SYN_RECV    10.0.0.9:05000     10.0.0.1:80        10.0.0.2:80', // leading zero in a port
      'TCP 01:00  SYN_RECV    10.0.0.09:5000     10.0.0.1:80        10.0.0.2:80', // ... in a part
      'TCP 01:00  SYN_RECV    10.0.0.9:65536     10.0.0.1:80        10.0.0.2:80', // port too big
      'TCP 01:00  SYN_RECV    10.0.0.256:5000    10.0.0.1:80        10.0.0.2:80', // part too big
      'TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.01:80       10.0.0.2:80', // virtual not canonical
      'TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2:080', // destination not canonical
      'TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2', // no port
      'TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80 extra', // a field too many
      'TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80', // a field too few
      'TCP 01:00  SYN_RECV    192.168.100.100:65535 172.16.100.100:8080 192.168.200.200:8080', // wider than columns
      'TCP 01:00  SYN_RECV    10.0.0.9:5000 10.0.0.1:80 10.0.0.2:80', // single spaces after the source
      'TCP  01:00 SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // expiry out of its column
      ' TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // leading space
      'TCP 01:00  SYN_RECV\t   10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80', // a tab
      'TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80\r', // CRLF
      'TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80\u00a0', // trailing no-break space
      'TCP 01:00  SYN_RECV    10.0.0.9:5000\u00a0    10.0.0.1:80        10.0.0.2:80', // ... inside
      'UDP 04:59  UDP         10.0.0.9:0         10.0.0.1:53        10.0.0.2:53', // UDP template
      'TCP 01:00  SYN_RECV    0.0.0.0:0          0.0.0.0:0          0.0.0.0:0',
      'TCP 01:00  SYN_RECV    255.255.255.255:65535 255.255.255.255:65535 255.255.255.255:65535',
      'TCP 01:00  SYN_RECV', // cut short
      `TCP 01:00  SYN_RECV    10.0.0.9:5000      10.0.0.1:80        10.0.0.2:80${' '.repeat(4030)}`, // 4,101 long
    ];
    const head = fixture('live', 'nat-director');
    const text = [head, ...odd, head, ...odd.map((l) => l.replace(/ +/g, ' ')), ...odd].join('\n');
    const whole = countIpvsConns(text, { topClients: 16 });
    expect(whole.garbage).toBeGreaterThan(20);
    expect(countIpvsConns(text, { topClients: 16, generalOnly: true })).toEqual(whole);
    const bytes = Buffer.from(text);
    for (const size of [1, 3, 17, 4096])
      expect(
        readCut(
          bytes,
          Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => i * size),
        ),
      ).toEqual(countIpvsConns(text));
  });

  it('agrees with the general grammar on random lines near the common shape', () => {
    const octet = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) },
      fc.constantFrom('256', '01', '00', '1000', ''),
    );
    const port = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 65535 }).map(String) },
      fc.constantFrom('0', '65536', '080', '123456', ''),
    );
    const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.'));
    const address = fc.oneof(
      { weight: 8, arbitrary: ipv4 },
      fc.constantFrom('[2001:db8::1]', '[::1]', '[2001:DB8::A]', '[::ffff:1.2.3.4]', '[2001db8]', '[zz::1]', 'x'),
    );
    const addressPort = fc.tuple(address, port).map(([a, p]) => `${a}:${p}`);
    // Few virtual and destination fields, so that lines share pairs as they do in a real table.
    const pairField = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('172.16.0.1:80', '172.16.0.1:443', '10.0.0.2:80', '10.0.0.2:443') },
      addressPort,
    );
    const expiry = fc
      .oneof(
        { weight: 6, arbitrary: fc.tuple(fc.nat(1500), fc.nat(59)) },
        fc.tuple(fc.nat(20), fc.integer({ min: 60, max: 99 })),
      )
      .map(([m, sec]) => `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`);
    const word = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...CONN_STATES) },
      fc.constantFrom('NEW_STATE', 'established', 'ESTABLISHEDX', 'ESTABLISHE', '1:00', 'TCP', ''),
    );
    // print_conn's padding most of the time; otherwise one to three spaces, or a tab.
    const gap = fc.oneof({ weight: 6, arbitrary: fc.constant('printf') }, fc.constantFrom(' ', '  ', '   ', '\t'));
    const field = (text: string, width: number, g: string) => (g === 'printf' ? `${text.padEnd(width)} ` : text + g);
    const nearLine = fc
      .tuple(
        fc.constantFrom('TCP', 'TCP', 'TCP', 'UDP', 'SCTP', 'IP', 'tcp'),
        expiry,
        word,
        fc.oneof(
          { weight: 3, arbitrary: addressPort },
          fc.tuple(address, fc.constant('0')).map((p) => p.join(':')),
        ),
        pairField,
        pairField,
        fc.array(gap, { minLength: 5, maxLength: 5 }),
        fc.constantFrom('', '', '', ' ', '\r'),
      )
      .map(
        ([protocol, exp, state, source, virtual, dest, gaps, tail]) =>
          field(protocol, 3, gaps[0]!) +
          field(exp, 6, gaps[1]!) +
          field(state, 11, gaps[2]!) +
          field(source, 18, gaps[3]!) +
          field(virtual, 18, gaps[4]!) +
          dest +
          tail,
      );
    // Lines print_conn writes: the common shape, whole.
    const canonical = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
    const commonLine = fc
      .tuple(
        fc.constantFrom('TCP', 'UDP'),
        fc.tuple(fc.nat(999), fc.nat(59)),
        fc.constantFrom(...CONN_STATES.filter((name) => name.length <= 11)),
        fc.tuple(canonical, fc.oneof(fc.constant(0), fc.nat(65535))),
        fc.constantFrom('172.16.0.1:80', '172.16.0.1:443'),
        fc.constantFrom('10.0.0.2:80', '10.0.0.2:443', '192.168.60.40:80'),
      )
      .map(
        ([protocol, [m, sec], state, [client, clientPort], virtual, dest]) =>
          `${protocol} ${`${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`.padEnd(6)} ` +
          `${state.padEnd(11)} ${`${client}:${clientPort}`.padEnd(18)} ${virtual.padEnd(18)} ${dest}`,
      );
    // Often one byte replaced by one that some field takes and another does not, anywhere or where columns meet.
    const swap = fc.option(
      fc.tuple(
        fc.oneof(fc.nat(90), fc.constantFrom(2, 3, 4, 6, 8, 9, 10, 11, 21, 22, 23, 24, 40, 41, 42)),
        fc.constantFrom(' ', ':', '.', '0', '9', '?', 'A', 'x', '[', '\t'),
      ),
      { freq: 3 },
    );
    const line = fc
      .tuple(fc.oneof(commonLine, nearLine), swap)
      .map(([text, sw]) => (sw ? text.slice(0, sw[0]) + sw[1] + text.slice(sw[0] + 1) : text));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.nat(4000), (lines, cut) => {
        const text = ['IPVS connection entries', ...lines, ...lines].join('\n');
        const general = countIpvsConns(text, { topClients: 16, generalOnly: true });
        expect(countIpvsConns(text, { topClients: 16 })).toEqual(general);
        const bytes = Buffer.from(text);
        expect(readCut(bytes, [Math.min(cut, bytes.length)], { topClients: 16 })).toEqual(general);
      }),
      { numRuns: 500, seed: 20261202 },
    );
  });
});
