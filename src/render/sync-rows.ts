import { syncAlerts, syncRows, type SyncRow } from '../model/sync.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import { formatAge } from './format.js';
import type { TableRow, TableSpec } from './table-model.js';

const DAEMON_TEXT: Record<SyncRow['daemon'], string> = {
  master: 'master sync daemon',
  backup: 'backup sync daemon',
  'master+backup': 'master+backup sync daemons',
  none: 'no sync daemon',
  unknown: 'sync daemon unknown',
};

/** `director1  MASTER   master sync daemon (eth0, syncid 51)   49 entries, 5s ago` */
export function syncLine(r: SyncRow, now: number): string {
  const where = r.interface === null ? '' : ` (${r.interface}, syncid ${r.syncId})`;
  const daemon = r.daemonError === null ? `${DAEMON_TEXT[r.daemon]}${where}` : `sync daemon: ${r.daemonError}`;
  const entries =
    r.entriesError !== null
      ? `entries: ${r.entriesError}`
      : r.entries === null
        ? 'entries not counted yet'
        : `${r.entries} entries, ${formatAge(now - r.entriesReadAt!)} ago`;
  return `${r.director.padEnd(11)} ${(r.vrrpState ?? '-').padEnd(8)} ${daemon.padEnd(40)} ${entries}`;
}

/**
 * The cluster's connection sync under its VRRP rows: each director's sync daemons and table size side by side, then
 * the warnings. Nothing while no director's sync has been read (a console without the sync part, a host not polled).
 */
export function syncViewRows(state: LvsState, cluster: ClusterInfo, now: number): TableRow[] {
  if (!cluster.directors.some((d) => state.sync[d])) return [];
  const alerts = syncAlerts(state, cluster);
  const rows: TableRow[] = [{ id: 'sync', group: true, span: true, cells: ['CONNECTION SYNC'], tone: 'heading' }];
  for (const r of syncRows(state, cluster)) {
    const read = r.daemonsReadAt ?? r.entriesReadAt;
    const periodMs = r.daemonsReadAt !== null ? r.daemonsEveryMs : r.entriesEveryMs;
    const warned = alerts.some((a) => a.director === r.director);
    rows.push({
      id: `sync/${r.director}`,
      span: true,
      cells: [syncLine(r, now)],
      tone: warned ? 'warn' : r.daemon === 'unknown' ? 'dim' : 'normal',
      ...(read === null ? {} : { ageMs: now - read }),
      ...(periodMs === null ? {} : { periodMs }),
    });
  }
  for (const a of alerts) rows.push({ id: `sync-alert/${a.director}`, span: true, cells: [a.message], tone: 'warn' });
  return rows;
}

/** A view's table with the cluster's connection sync rows after its own. */
export function withSyncRows(spec: TableSpec, state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows = cluster ? syncViewRows(state, cluster, now) : [];
  return rows.length === 0 ? spec : { ...spec, rows: [...spec.rows, ...rows] };
}
