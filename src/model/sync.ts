import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import { vrrpRows } from './vrrp.js';

/** One director's connection sync: its VRRP state, its sync daemons and its connection-table size. */
export interface SyncRow {
  readonly director: string;
  /** MASTER when any of its instances is; otherwise its first instance's state; null without keepalived. */
  readonly vrrpState: string | null;
  /** Which sync daemons run; unknown before the first read or when the read failed. */
  readonly daemon: 'master' | 'backup' | 'master+backup' | 'none' | 'unknown';
  readonly interface: string | null;
  readonly syncId: number | null;
  readonly daemonsReadAt: number | null;
  readonly daemonError: string | null;
  /** Entries in the connection table (templates included). */
  readonly entries: number | null;
  readonly entriesReadAt: number | null;
  readonly entriesError: string | null;
}

/** The sync warning, shaped as a service-health alert so it reaches the same places (health line, events, metrics). */
export interface SyncAlert {
  readonly kind: 'sync-drops-sessions';
  readonly severity: 'warn';
  readonly cluster: string;
  readonly director: string;
  /** The persistent services a failover would break. */
  readonly service: string;
  readonly message: string;
}

/** A BACKUP holding fewer than this share of the MASTER's entries has not been receiving its sync. */
export const SYNC_SHORT_RATIO = 0.5;
/** Below this many entries on the MASTER, tables are too small to compare. */
export const SYNC_MIN_ENTRIES = 100;

function vrrpStateOf(state: LvsState, cluster: ClusterInfo, director: string): string | null {
  const rows = vrrpRows(state, cluster).filter((r) => r.director === director);
  if (rows.length === 0) return null;
  return rows.some((r) => r.state === 'MASTER') ? 'MASTER' : rows[0]!.state;
}

function daemonOf(m: boolean, b: boolean): SyncRow['daemon'] {
  return m && b ? 'master+backup' : m ? 'master' : b ? 'backup' : 'none';
}

/** Per director of the cluster: its sync daemons and table size side by side. */
export function syncRows(state: LvsState, cluster: ClusterInfo): SyncRow[] {
  return cluster.directors.map((director) => {
    const s = state.sync[director];
    const d = s?.daemons;
    const c = s?.conns;
    const daemon = d?.ok ? (d.master ?? d.backup) : undefined;
    return {
      director,
      vrrpState: vrrpStateOf(state, cluster, director),
      daemon: d?.ok ? daemonOf(!!d.master, !!d.backup) : 'unknown',
      interface: daemon?.interface ?? null,
      syncId: daemon?.syncId ?? null,
      daemonsReadAt: d?.readAt ?? null,
      daemonError: d && !d.ok ? d.error : null,
      entries: c?.ok ? c.entries : null,
      entriesReadAt: c?.readAt ?? null,
      entriesError: c && !c.ok ? c.error : null,
    };
  });
}

/** The cluster's persistent services, from the tables of its directors that answer. */
function persistentServices(state: LvsState, cluster: ClusterInfo): string[] {
  const keys = new Set<string>();
  for (const d of cluster.directors) {
    const r = state.ipvs[d]?.reading;
    if (r?.status !== 'ok' || state.hosts[d]?.status === 'down') continue;
    for (const s of r.table.services) if (s.persistence !== undefined) keys.add(s.key);
  }
  return [...keys];
}

const runs = (row: SyncRow, role: 'master' | 'backup') => row.daemon === role || row.daemon === 'master+backup';

/**
 * A pair with persistent services whose failover would drop persistent sessions: the MASTER runs no master sync
 * daemon, a BACKUP no backup one, or a BACKUP holds far fewer entries than the MASTER. Unknown is never judged: a
 * director that is down or unread, or a pair without a known MASTER.
 */
export function syncAlerts(state: LvsState, cluster: ClusterInfo): SyncAlert[] {
  if (cluster.directors.length < 2) return [];
  const services = persistentServices(state, cluster);
  if (services.length === 0) return [];
  const up = syncRows(state, cluster).filter((r) => state.hosts[r.director]?.status !== 'down');
  const master = up.find((r) => r.vrrpState === 'MASTER');
  if (!master) return [];
  const base = {
    kind: 'sync-drops-sessions',
    severity: 'warn',
    cluster: cluster.name,
    service: services.join(','),
  } as const;
  const drop = 'a failover will drop persistent sessions';
  const out: SyncAlert[] = [];
  if (master.daemon !== 'unknown' && !runs(master, 'master'))
    out.push({ ...base, director: master.director, message: `${drop}: ${master.director} runs no master sync daemon` });
  for (const b of up.filter((r) => r.vrrpState === 'BACKUP')) {
    if (b.daemon !== 'unknown' && !runs(b, 'backup'))
      out.push({ ...base, director: b.director, message: `${drop}: ${b.director} runs no backup sync daemon` });
    else if (
      master.entries !== null &&
      b.entries !== null &&
      master.entries >= SYNC_MIN_ENTRIES &&
      b.entries < master.entries * SYNC_SHORT_RATIO
    )
      out.push({
        ...base,
        director: b.director,
        message: `${drop}: ${b.director} holds ${b.entries} connection entries, ${master.director} (MASTER) ${master.entries}`,
      });
  }
  return out;
}
