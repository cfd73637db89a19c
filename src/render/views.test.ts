import { describe, expect, it } from 'vitest';
import { auditViewOf } from '../audit-view.js';
import { capturedStore, CAPTURES, NOW } from '../../test/support/console-store.js';
import { configOf, storeFromCaptures } from '../../test/support/fixture-store.js';
import { clusterHosts } from './cluster-hosts.js';
import { maskText, persistenceText, serviceRows } from './service-rows.js';
import { formatTableRow } from './table-model.js';
import { viewSpec } from './view-spec.js';
import { VIEWS } from './views.js';

const state = capturedStore().getState();
const lines = (view: (typeof VIEWS)[number]) => {
  const spec = viewSpec(state, view, 'wordpress', NOW);
  return spec.rows.map((r) => formatTableRow(spec.columns, r));
};

describe('every view', () => {
  it.each(VIEWS)('%s: no row has more cells than the view has columns', (view) => {
    const spec = viewSpec(state, view, 'wordpress', NOW);
    expect(spec.columns.length).toBeGreaterThan(0);
    for (const row of spec.rows) if (!row.span) expect(row.cells.length).toBeLessThanOrEqual(spec.columns.length);
  });
});

describe('services', () => {
  const rows = serviceRows(state, 'wordpress', NOW).rows;

  it('draws director, service and real server lines from the captured table', () => {
    expect(lines('services')).toEqual([
      'director director1  ipvs via ipvsadm',
      'TCP 10.18.11.40:80         rr            50s ?              0     70      -       -',
      ' -> 10.18.11.21:80         Route         100 ?              0      0      -       -',
      ' -> 10.18.11.22:80         Route         100 ?              0     70      -       -',
      'director director2  parse: no ipvs-list section in the poll output',
    ]);
  });

  it('gives each row its typed target and what enter opens', () => {
    expect(rows.map((r) => r.target)).toEqual([
      { kind: 'director', director: 'director1' },
      { kind: 'service', director: 'director1', service: 'TCP 10.18.11.40:80' },
      {
        kind: 'real-server',
        director: 'director1',
        service: 'TCP 10.18.11.40:80',
        realServer: { address: '10.18.11.21', port: 80 },
      },
      {
        kind: 'real-server',
        director: 'director1',
        service: 'TCP 10.18.11.40:80',
        realServer: { address: '10.18.11.22', port: 80 },
      },
      { kind: 'director', director: 'director2' },
    ]);
    expect(rows[1]!.detail).toEqual({ kind: 'service', director: 'director1', service: 'TCP 10.18.11.40:80' });
    expect(rows[2]!.detail).toEqual({ kind: 'real-server', address: '10.18.11.21' });
  });

  it('shows a persistence netmask next to the timeout', () => {
    expect(persistenceText({ persistence: 30, persistenceMask: '255.255.255.0' })).toBe('30s/24');
    expect(persistenceText({ persistence: 50 })).toBe('50s');
    expect(persistenceText({})).toBe('-');
    expect(maskText('255.255.0.0')).toBe('/16');
    expect(maskText('255.0.255.0')).toBe('/255.0.255.0');
    expect(maskText('64')).toBe('/64');
  });
});

describe('VRRP', () => {
  it('draws each director and instance and targets it', () => {
    const spec = viewSpec(state, 'vrrp', 'wordpress', NOW);
    expect(lines('vrrp')[0]).toMatch(/^director1 +VI_WEB +MASTER +51 +100\/100/);
    expect(spec.rows.map((r) => r.target)).toEqual([
      { kind: 'vrrp', director: 'director1', instance: 'VI_WEB' },
      { kind: 'vrrp', director: 'director2', instance: 'VI_WEB' },
    ]);
    // Failover timing: no notify lines in this capture, so nothing measured; director2 (priority 80) takes over when director1 steps down.
    expect(lines('vrrp')[0]).toMatch(/ 18:55:22 -\/0\.7s +0 lvstop_prio=0/);
  });
});

describe('hosts and doctor', () => {
  it('lists every host of the cluster once, then the checks with their fix', () => {
    const cluster = state.clusters.find((c) => c.name === 'wordpress')!;
    expect(clusterHosts(cluster)).toEqual(['director1', 'director2']);
    const text = lines('hosts');
    expect(text.slice(0, 3)).toEqual([
      'HOSTS',
      'director1     up     1.83 109m   5% 6.18.44-fc-v669        -     poll 40ms',
      'director2     up     1.83 109m   5% 6.18.44-fc-v669        -     poll 40ms',
    ]);
    expect(text).toContain('DOCTOR');
    expect(text.join('\n')).toMatch(/ip_vs module not loaded — fix: modprobe ip_vs/);
  });

  it('gives host and check rows a detail with the whole text a column cuts', () => {
    const rows = viewSpec(state, 'hosts', 'wordpress', NOW).rows;
    const host = rows.find((r) => r.id === 'host:director1')?.detail;
    expect(host).toMatchObject({ kind: 'text', title: 'host director1: up' });
    expect(host?.kind === 'text' && host.lines).toContain('kernel 6.18.44-fc-v669');
    const check = rows.find((r) => r.id === 'doctor:director1:ip_vs')?.detail;
    expect(check).toEqual({
      kind: 'text',
      title: 'director1: ip_vs loaded: FAIL',
      lines: ['ip_vs module not loaded', 'fix (the console never runs it): modprobe ip_vs'],
    });
  });
});

describe('overview', () => {
  it('gives each cluster its level and first reason', () => {
    expect(lines('overview')[0]).toMatch(/^wordpress +DR +WARN +1 services +0 active/);
  });

  it('lists the clusters in trouble first, in configured order within a level', () => {
    const three = configOf({
      hosts: { director1: {}, director2: {} },
      clusters: ['alpha', 'beta', 'gamma'].map((name, i) => ({
        name,
        mode: 'nat',
        directors: [{ host: i === 1 ? 'director2' : 'director1' }],
      })),
    });
    const store = storeFromCaptures(three, CAPTURES, NOW);
    const order = () =>
      viewSpec(store.getState(), 'overview', 'alpha', NOW)
        .rows.filter((r) => r.cells[0] !== '')
        .map((r) => r.id);
    expect(order()).toEqual(['alpha', 'beta', 'gamma']);
    store.getState().hostDown('director2', { kind: 'timeout', message: 'connect timed out' }, NOW);
    expect(order()).toEqual(['beta', 'alpha', 'gamma']);
  });
});

describe('audit', () => {
  it('shows the newest record first', () => {
    const store = capturedStore();
    const record = (time: string, result: string) =>
      auditViewOf(
        JSON.stringify({
          time,
          operator: 'ops',
          action: 'weight',
          cluster: 'discuz',
          host: 'nat-director',
          target: 'TCP 172.16.60.22:80 real1',
          result,
          message: 'm',
        }),
      )!;
    store.getState().addAudit([record('2026-11-21T18:00:00Z', 'ok'), record('2026-11-21T18:01:00Z', 'refused-guard')]);
    const spec = viewSpec(store.getState(), 'audit', 'wordpress', NOW);
    expect(spec.rows.map((r) => [r.cells[0], r.cells[4], r.tone])).toEqual([
      ['11-21 18:01:00', 'refused-guard', 'warn'],
      ['11-21 18:00:00', 'ok', 'ok'],
    ]);
  });
});

describe('services on the lab NAT director (IPv6 fwmark, persistence netmask)', () => {
  const natConfig = configOf({
    hosts: { 'nat-director': {} },
    clusters: [{ name: 'discuz', mode: 'nat', directors: [{ host: 'nat-director' }] }],
  });
  const nat = storeFromCaptures(
    natConfig,
    {
      'nat-director': {
        'ipvs-list': 'console/nat-director-ipvs-list.txt',
        'ipvs-stats': 'console/nat-director-ipvs-stats.txt',
      },
    },
    NOW,
  ).getState();
  const spec = serviceRows(nat, 'discuz', NOW);
  const text = spec.rows.map((r) => formatTableRow(spec.columns, r));

  it('names the IPv6 fwmark service as it can be typed back, with typed targets', () => {
    expect(text).toContain('FWM 77 IPv6                rr              - -              0      0      -       -');
    const v6 = spec.rows.filter((r) => r.target?.kind === 'real-server' && r.target.service === 'FWM 77 IPv6');
    expect(v6.map((r) => r.target)).toEqual([
      {
        kind: 'real-server',
        director: 'nat-director',
        service: 'FWM 77 IPv6',
        realServer: { address: 'fd00:60::40', port: 80 },
      },
      {
        kind: 'real-server',
        director: 'nat-director',
        service: 'FWM 77 IPv6',
        realServer: { address: 'fd00:60::99', port: 80 },
      },
    ]);
  });

  it('shows the persistence netmask next to the timeout', () => {
    expect(text.find((l) => l.startsWith('TCP 172.16.60.22:9998'))).toMatch(/wlc +30s\/24 /);
    expect(text.find((l) => l.startsWith('TCP 172.16.60.22:80'))).toMatch(/wlc +30s /);
  });
});
