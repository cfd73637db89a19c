import { describe, expect, it } from 'vitest';
import { applyCaptures, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { snapshotConfig } from '../../test/support/snapshot-states.js';
import { detailSparkWidth, realServerDetail, serviceDetail, serviceDetailHeading } from './detail-model.js';

// The console's NAT table (persistence mask, fwmark, IPv6, UDP) captured on the lab's nat-director, read twice 2 s
// apart; between the two readings 192.168.60.40:80 of the TCP :80 service took 20 connections and 10 KiB: 10 conn/s
// and 5 KiB/s.
const NOW = Date.parse('2026-12-02T01:20:00Z');
const config = snapshotConfig;
const LIST = 'console/nat-director-ipvs-list.txt';
const STATS = 'console/nat-director-ipvs-stats.txt';
const RS_LINE = '  -> 192.168.60.40:80                   20      128      112     8336    10984';
const RS_LINE_LATER = '  -> 192.168.60.40:80                   40      128      112    12432    17128';

function tableReadTwice() {
  const store = storeFromCaptures(config, { 'nat-director': { 'ipvs-list': LIST, 'ipvs-stats': STATS } }, NOW - 2000);
  const stats = fixture(STATS);
  if (!stats.includes(RS_LINE)) throw new Error('the stats capture changed: update RS_LINE');
  applyCaptures(
    store,
    config,
    {
      'nat-director': {
        'ipvs-list': LIST,
        'ipvs-stats': { stdout: stats.replace(RS_LINE, RS_LINE_LATER), stderr: '', exitCode: 0 },
      },
    },
    NOW,
  );
  return store.getState();
}

describe('service detail', () => {
  const state = tableReadTwice();

  it('titles the service with its scheduler and persistence, and lists its real servers with their rates', () => {
    const d = serviceDetail(state, 'nat-director', 'TCP 172.16.60.22:80', 10);
    expect(d.kind).toBe('service');
    if (d.kind !== 'service') return;
    expect(d.title).toBe('TCP 172.16.60.22:80 on nat-director · scheduler wlc · persistent 30s ');
    expect(d.rows.map((r) => r.id)).toEqual([
      'TCP 172.16.60.22:80|192.168.60.40:80',
      'TCP 172.16.60.22:80|192.168.60.99:80',
    ]);
    const [busy, idle] = d.rows;
    expect(busy!.text).toBe(
      `${'192.168.60.40:80'.padEnd(23)} Masq  ${'1'.padStart(5)}${'0'.padStart(6)}${'20'.padStart(7)}`,
    );
    expect(busy!.connsRate).toBe('    10');
    expect(busy!.bytesRate).toBe('  5.0K');
    expect(busy!.connsHistory).toEqual([10]);
    expect(busy!.bytesHistory).toEqual([5120]);
    expect(idle!.connsRate).toBe('     0');
    expect(idle!.connsHistory).toEqual([0]);
  });

  it('shows the persistence netmask, and no more real servers than there is room for', () => {
    const d = serviceDetail(state, 'nat-director', 'TCP 172.16.60.22:9998', 10);
    expect(d.kind === 'service' && d.title).toBe(
      'TCP 172.16.60.22:9998 on nat-director · scheduler wlc · persistent 30s/24 mask 255.255.255.0 ',
    );
    const udp = serviceDetail(state, 'nat-director', 'UDP 172.16.60.22:53', 1);
    expect(udp.kind === 'service' && udp.rows.map((r) => r.id)).toEqual(['UDP 172.16.60.22:53|192.168.60.40:53']);
  });

  it('says so when the service or the director is gone, and has no rates before a second reading', () => {
    expect(serviceDetail(state, 'nat-director', 'TCP 1.2.3.4:80', 10)).toEqual({
      kind: 'missing',
      text: 'service TCP 1.2.3.4:80 is not on nat-director any more',
    });
    expect(serviceDetail(state, 'director1', 'TCP 172.16.60.22:80', 10).kind).toBe('missing');
    const once = storeFromCaptures(config, { 'nat-director': { 'ipvs-list': LIST, 'ipvs-stats': STATS } }, NOW);
    const d = serviceDetail(once.getState(), 'nat-director', 'TCP 172.16.60.22:80', 10);
    expect(d.kind === 'service' && d.rows.map((r) => [r.connsRate, r.bytesRate, r.connsHistory])).toEqual([
      ['     -', '     -', []],
      ['     -', '     -', []],
    ]);
  });

  it('sizes the sparklines and the heading to the width', () => {
    expect([detailSparkWidth(60), detailSparkWidth(90), detailSparkWidth(200)]).toEqual([10, 30, 40]);
    expect(serviceDetailHeading(10)).toBe('REAL SERVER             FWD        W   ACT  INACT  CONN/S      BYTES/S');
  });
});

describe('real server detail', () => {
  const state = tableReadTwice();

  it('lists every service balancing the address, what probes say, its host and that host’s storage and replication', () => {
    const d = realServerDetail(state, '192.168.60.40', NOW);
    expect(d.title).toBe('real server 192.168.60.40 (real2: connecting)');
    expect(d.services.map((l) => l.text)).toEqual([
      '  nat-director   TCP 172.16.60.22:80        Masq   w1 act 0 inact 20',
      '  nat-director   UDP 172.16.60.22:53        Masq   w1 act 0 inact 10',
      '  nat-director   FWM 1                      Masq   w1 act 0 inact 20',
    ]);
    expect(new Set(d.services.map((l) => l.key)).size).toBe(3);
    expect(d.health.map((l) => l.text)).toEqual([
      '  nat-director TCP 172.16.60.22:80 :80: HTTP GET / :80: not probed yet',
      '  nat-director UDP 172.16.60.22:53 :53: not probed: UDP service without a checker',
      '  nat-director FWM 1 :80: not probed: fwmark service without a checker',
    ]);
    expect(d.replication.map((l) => l.text)).toEqual(['  replication attachments: real2 → real1']);
    expect(d.mounts).toEqual([]);
    const web1 = realServerDetail(state, '10.18.11.21', NOW);
    expect(web1.title).toBe('real server 10.18.11.21 (web1: connecting)');
    expect(web1.mounts).toEqual([{ key: 'web1:/var/www/html', text: '  NFS /var/www/html: ? ', ok: false }]);
    expect(web1.replication).toEqual([]);
  });

  it('names no host for an address no cluster lists, and finds nothing for it', () => {
    const d = realServerDetail(state, '10.9.9.9', NOW);
    expect(d).toEqual({
      title: 'real server 10.9.9.9',
      services: [],
      health: [],
      mounts: [],
      replication: [],
      connections: [],
    });
  });
});
