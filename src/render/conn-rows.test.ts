import { describe, expect, it } from 'vitest';
import { failedRead, watchedRead } from '../../test/support/conn-reads.js';
import { capturedStore, NOW } from '../../test/support/console-store.js';
import { connectionRows, connectionsInterest } from './conn-rows.js';
import { realServerDetail } from './detail-model.js';
import { formatTableRow, sortRows } from './table-model.js';

/**
 * The console's captured store (director1's table from test/fixtures/healthy, director2 without one) and director1's
 * connection table as captured on the lab while the client held connections (test/fixtures/conns/live).
 */
const LIVE = 'conns/live/director1.lnc.txt';
const lines = (store: ReturnType<typeof capturedStore>, now = NOW + 4000) => {
  const spec = connectionRows(store.getState(), 'wordpress', now);
  return spec.rows.map((r) => formatTableRow(spec.columns, r));
};

describe('the Connections view', () => {
  it('lists every real server of every service, with its live weight, per director', () => {
    const store = capturedStore();
    store.getState().setConnectionsWatched(['wordpress']);
    watchedRead(store, 'director1', LIVE, NOW);
    expect(lines(store)).toEqual([
      'director director1  read 4s ago: 49 entries',
      'TCP 10.18.11.40:80  rr  persistent 50s',
      '  10.18.11.21:80     100     0     0     0      - -                  -',
      '  10.18.11.22:80     100     4    44     1    54s 10.18.11.100 ×48   FIN_WAIT 44, ASSURED 1',
      'director director2  no IPVS table: parse: no ipvs-list section in the poll output',
    ]);
    const rows = connectionRows(store.getState(), 'wordpress', NOW + 4000).rows;
    expect(rows.map((r) => r.tone)).toEqual(['heading', 'heading', 'normal', 'normal', 'critical']);
    expect(rows[3]!.detail).toEqual({ kind: 'real-server', address: '10.18.11.22' });
    expect(rows[1]!.detail).toEqual({ kind: 'service', director: 'director1', service: 'TCP 10.18.11.40:80' });
  });

  it('says why a director has no counts: not asked for, not read yet', () => {
    const store = capturedStore();
    expect(lines(store)[0]).toBe(
      'director director1  connection table read only while a server here drains (weight 0)',
    );
    expect(lines(store)[2]).toBe('  10.18.11.21:80     100     -     -     -      - -                  ');
    store.getState().setConnectionsWatched(['wordpress']);
    expect(lines(store)[0]).toBe('director director1  connection table not read yet');
  });

  it('keeps the last counts when a read fails, and says so', () => {
    const store = capturedStore();
    store.getState().setConnectionsWatched(['wordpress']);
    watchedRead(store, 'director1', LIVE, NOW);
    failedRead(store, 'director1', NOW + 10_000, 'ipvsadm -L -n -c: exit 137');
    const text = lines(store, NOW + 12_000);
    expect(text[0]).toBe('director director1  read 12s ago: 49 entries; last read failed: ipvsadm -L -n -c: exit 137');
    expect(text[3]).toMatch(/^ {2}10\.18\.11\.22:80 +100 +4 +44 +1 /);
    // Three periods (5 s each at a 1 s poll) without a good read: the counts are grey, not current.
    const rows = connectionRows(store.getState(), 'wordpress', NOW + 16_000).rows;
    expect(rows[3]!.tone).toBe('stale');
  });

  it('says a read was cut short, at its deadline or at the line cap: the counts are lower bounds', () => {
    const store = capturedStore();
    store.getState().setConnectionsWatched(['wordpress']);
    watchedRead(store, 'director1', LIVE, NOW, { ms: 10_000, cut: { lines: 20, by: 'deadline' } });
    expect(lines(store)[0]).toBe(
      'director director1  read 4s ago: 18 entries; read cut short at 10 s: at least these counts',
    );
    expect(lines(store)[3]).toMatch(/^ {2}10\.18\.11\.22:80 +100 +0 +18 +0 /);
    watchedRead(store, 'director1', LIVE, NOW, { cut: { lines: 10, by: 'lines' } });
    expect(lines(store)[0]).toBe(
      'director director1  read 4s ago: 8 entries; read cut short at 8 entries: at least these counts',
    );
  });

  it('shows a director that is down with its last counts, as last known', () => {
    const store = capturedStore();
    store.getState().setConnectionsWatched(['wordpress']);
    watchedRead(store, 'director1', LIVE, NOW);
    store.getState().hostDown('director1', { kind: 'timeout', message: 'connect timed out' }, NOW + 2000);
    expect(lines(store)[0]).toBe(
      'director director1  DOWN timeout: connect timed out; counts below from 4s ago, not current',
    );
    const rows = connectionRows(store.getState(), 'wordpress', NOW + 4000).rows;
    expect(rows.slice(1, 4).map((r) => r.tone)).toEqual(['stale', 'stale', 'stale']);
  });

  it("shows a drain's counts where no view asked for every server (an older serve, a replay)", () => {
    const store = capturedStore();
    const reading = store.getState().ipvs.director1!.reading;
    if (reading.status !== 'ok') throw new Error('no table');
    const services = reading.table.services.map((s) => ({
      ...s,
      realServers: s.realServers.map((rs) => (rs.address === '10.18.11.22' ? { ...rs, weight: 0 } : rs)),
    }));
    store.getState().setIpvs('director1', { ...reading, table: { ...reading.table, services } }, NOW);
    watchedRead(store, 'director1', LIVE, NOW);
    const { conns: _all, ...drainsOnly } = store.getState().drains.director1!;
    store.getState().setDrains('director1', drainsOnly);
    expect(lines(store).slice(0, 4)).toEqual([
      'director director1  connection table read only while a server here drains (weight 0)',
      'TCP 10.18.11.40:80  rr  persistent 50s',
      '  10.18.11.21:80     100     -     -     -      - -                  ',
      '  10.18.11.22:80       0     4    44     1      - 10.18.11.100 ×48   FIN_WAIT 44, ASSURED 1',
    ]);
  });

  it('sorts servers within their service, as the other views do', () => {
    const store = capturedStore();
    store.getState().setConnectionsWatched(['wordpress']);
    watchedRead(store, 'director1', LIVE, NOW);
    const spec = connectionRows(store.getState(), 'wordpress', NOW);
    const ids = (column: number, reverse: boolean) => sortRows(spec.rows, column, reverse).map((r) => r.id);
    const active = spec.columns.findIndex((c) => c.title === 'ACT');
    expect(ids(active, true)).toEqual([
      'conns|director1',
      'conns|director1|TCP 10.18.11.40:80',
      'director1|TCP 10.18.11.40:80|10.18.11.22:80',
      'director1|TCP 10.18.11.40:80|10.18.11.21:80',
      'conns|director2',
    ]);
  });

  it('asks for the shown cluster only while the view is on screen', () => {
    expect(connectionsInterest('connections', 'wordpress')).toEqual(['wordpress']);
    expect(connectionsInterest('services', 'wordpress')).toEqual([]);
    expect(connectionsInterest('connections', '')).toEqual([]);
  });
});

describe("a real server's detail while the view watches it", () => {
  it('lists its entries by state and its top clients, with the age of the read', () => {
    const store = capturedStore();
    store.getState().setConnectionsWatched(['wordpress']);
    watchedRead(store, 'director1', LIVE, NOW);
    expect(realServerDetail(store.getState(), '10.18.11.22', NOW + 4000).connections.map((l) => l.text)).toEqual([
      '  director1, table read 4s ago:',
      '    TCP 10.18.11.40:80: 4 active, 44 inactive, 1 template (longest 54s left)',
      '      FIN_WAIT 44, ESTABLISHED 4, ASSURED 1 · top clients 10.18.11.100 ×48',
    ]);
    expect(realServerDetail(store.getState(), '10.18.11.21', NOW + 4000).connections.map((l) => l.text)).toEqual([
      '  director1, table read 4s ago:',
      '    TCP 10.18.11.40:80: 0 active, 0 inactive, 0 templates',
      '      no entries',
    ]);
  });
});
