import { describe, expect, it } from 'vitest';
import { storeFromCaptures } from '../../test/support/fixture-store.js';
import { SYNC_NOW, syncPairCaptures, syncPairConfig, syncPairStore } from '../../test/support/sync-captures.js';
import { viewSpec } from './view-spec.js';

/** The VRRP view of the DR pair (test/support/sync-captures.ts): its VRRP rows, then the connection sync. */
const view = (state: string, at = SYNC_NOW + 5000) => {
  // Read at SYNC_NOW, VRRP and IPVS again 2 s on (a warning judges daemons between two VRRP readings).
  const store = syncPairStore(syncPairCaptures(state), SYNC_NOW + 2000);
  return viewSpec(store.getState(), 'vrrp', 'wordpress', at);
};
const text = (spec: ReturnType<typeof view>) => spec.rows.filter((r) => r.span).map((r) => r.cells.join(' '));

describe('connection sync in the VRRP view', () => {
  it('shows each director its daemon and table size under the VRRP rows, the VRRP rows untouched', () => {
    const spec = view('live');
    expect(spec.rows.slice(0, 2).map((r) => r.target)).toEqual([
      { kind: 'vrrp', director: 'director1', instance: 'VI_WEB' },
      { kind: 'vrrp', director: 'director2', instance: 'VI_WEB' },
    ]);
    expect(text(spec)).toEqual([
      'CONNECTION SYNC',
      'director1   MASTER   master sync daemon (eth0, syncid 51)     49 entries, 5s ago',
      'director2   BACKUP   backup sync daemon (eth0, syncid 51)     45 entries, 5s ago',
    ]);
    expect(spec.rows.filter((r) => r.tone === 'warn')).toEqual([]);
  });

  it('marks the BACKUP without its daemon and says what a failover would do', () => {
    const spec = view('backup-sync-down');
    expect(text(spec).slice(2)).toEqual([
      'director2   BACKUP   no sync daemon                           45 entries, 5s ago',
      'a failover will drop persistent sessions: director2 runs no backup sync daemon',
    ]);
    expect(spec.rows.filter((r) => r.tone === 'warn').map((r) => r.id)).toEqual([
      'sync/director2',
      'sync-alert/director2',
    ]);
  });

  it('shows nothing of the sync before any director has been read', () => {
    const { director1, director2 } = syncPairCaptures('live');
    const strip = ({ 'ipvs-daemon': _d, 'ipvs-conn-count': _c, ...rest }: typeof director1) => rest;
    const store = storeFromCaptures(
      syncPairConfig,
      { director1: strip(director1), director2: strip(director2) },
      SYNC_NOW,
    );
    expect(viewSpec(store.getState(), 'vrrp', 'wordpress', SYNC_NOW).rows).toHaveLength(2);
  });
});

describe('the age of the connection sync rows', () => {
  it('carries how often the sync daemons are read, so a row between its reads is not marked stale', () => {
    const rows = view('live', SYNC_NOW + 8000).rows.filter((r) => r.id.startsWith('sync/'));
    expect(rows.map((r) => [r.id, r.ageMs, r.periodMs])).toEqual([
      ['sync/director1', 8000, 10_000],
      ['sync/director2', 8000, 10_000],
    ]);
  });
});
