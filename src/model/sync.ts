import type { SyncDaemon } from '../../collectors/ipvs-daemon.js';
import type { LvsState } from '../store/lvs-store.js';
import type { SyncDaemonsRead } from '../store/sync-slice.js';
import type { ClusterInfo } from '../store/store-types.js';
import { vrrpRows, type VrrpRow } from './vrrp.js';

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
  /** How often the sync daemons and the table size are read (ms); null when not known. */
  readonly daemonsEveryMs: number | null;
  readonly daemonError: string | null;
  /** Entries in the connection table (templates included). */
  readonly entries: number | null;
  readonly entriesReadAt: number | null;
  readonly entriesEveryMs: number | null;
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
/**
 * Table sizes counted further apart than this (or two poll intervals, if longer) are not compared: a table that grew
 * between the two counts would make the BACKUP look short. The poller counts both in the same 30 s of the clock.
 */
export const SYNC_COUNT_APART_MS = 5_000;

/**
 * Per director: when the console first saw the VRRP state it is in now (the latest of its instances') and when it last
 * read keepalived. keepalived swaps the sync daemons' roles in a transition, so a reading of the daemons is judged
 * against the director's state only when that state was seen before it and seen again after it: a poll reads the
 * daemons after keepalived, and a transition in between would otherwise pit the old state against the new roles.
 */
export function vrrpStateTimes(rows: readonly VrrpRow[]): Map<string, { seen: number; read: number }> {
  const out = new Map<string, { seen: number; read: number }>();
  for (const r of rows) {
    if (r.stateSeenAt === undefined || r.readAt === undefined) continue;
    const had = out.get(r.director);
    out.set(r.director, {
      seen: Math.max(had?.seen ?? 0, r.stateSeenAt),
      read: Math.min(had?.read ?? Infinity, r.readAt),
    });
  }
  return out;
}

/** Per director: MASTER when any of its instances is, else its first instance's state. */
function vrrpStates(rows: readonly VrrpRow[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(r.director) || r.state === 'MASTER') out.set(r.director, r.state);
  return out;
}

function daemonOf(m: boolean, b: boolean): SyncRow['daemon'] {
  return m && b ? 'master+backup' : m ? 'master' : b ? 'backup' : 'none';
}

/** Per director of the cluster: its sync daemons and table size side by side (`rows`: the cluster's VRRP rows). */
export function syncRows(state: LvsState, cluster: ClusterInfo, rows = vrrpRows(state, cluster)): SyncRow[] {
  const vrrp = vrrpStates(rows);
  return cluster.directors.map((director) => {
    const s = state.sync[director];
    const d = s?.daemons;
    const c = s?.conns;
    const daemon = d?.ok ? (d.master ?? d.backup) : undefined;
    return {
      director,
      vrrpState: vrrp.get(director) ?? null,
      daemon: d?.ok ? daemonOf(!!d.master, !!d.backup) : 'unknown',
      interface: daemon?.interface ?? null,
      syncId: daemon?.syncId ?? null,
      daemonsReadAt: d?.readAt ?? null,
      daemonsEveryMs: d?.everyMs ?? null,
      daemonError: d && !d.ok ? d.error : null,
      entries: c?.ok ? c.entries : null,
      entriesReadAt: c?.readAt ?? null,
      entriesEveryMs: c?.everyMs ?? null,
      entriesError: c && !c.ok ? c.error : null,
    };
  });
}

/** Were the two directors' tables counted close enough in time to compare? */
function countedTogether(a: SyncRow, b: SyncRow, pollIntervalMs: number): boolean {
  if (a.entriesReadAt === null || b.entriesReadAt === null) return false;
  return Math.abs(a.entriesReadAt - b.entriesReadAt) <= Math.max(SYNC_COUNT_APART_MS, 2 * pollIntervalMs);
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

/** A backup daemon with a syncid other than 0 drops the sync messages of a master with another syncid. */

type Roles = { readonly master?: SyncDaemon | undefined; readonly backup?: SyncDaemon | undefined };

/**
 * Per director of the cluster, the reading of its sync daemons that may be judged against its VRRP state: one taken
 * between two readings of that state (see vrrpStateTimes), the newest such of the last two. Directors with neither
 * are not judged. While a new reading awaits the next VRRP reading, the one before it stands, so a steady verdict
 * does not lapse at each read of the daemons.
 */
function judgedDaemons(state: LvsState, cluster: ClusterInfo, rows: readonly VrrpRow[]): Map<string, Roles> {
  const times = vrrpStateTimes(rows);
  const out = new Map<string, Roles>();
  for (const director of cluster.directors) {
    const t = times.get(director);
    const s = state.sync[director];
    const borne = (r: SyncDaemonsRead | undefined) => !!r && !!t && t.seen <= r.readAt && r.readAt < t.read;
    const r = [s?.daemons, s?.daemonsBefore].find(borne);
    if (r?.ok) out.set(director, { master: r.master, backup: r.backup });
  }
  return out;
}

/**
 * A pair with persistent services whose failover would drop persistent sessions: the MASTER runs no master sync
 * daemon, a BACKUP no backup one, or a BACKUP holds far fewer entries than the MASTER. Unknown is never judged: a
 * director that is down or unread, daemons not read between two readings of the director's present VRRP state, or a
 * pair without a known MASTER.
 */
export function syncAlerts(state: LvsState, cluster: ClusterInfo): SyncAlert[] {
  if (cluster.directors.length < 2) return [];
  const services = persistentServices(state, cluster);
  if (services.length === 0) return [];
  const rows = vrrpRows(state, cluster);
  const up = syncRows(state, cluster, rows).filter((r) => state.hosts[r.director]?.status !== 'down');
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
  const judged = judgedDaemons(state, cluster, rows);
  const m = judged.get(master.director);
  if (m && !m.master)
    out.push({ ...base, director: master.director, message: `${drop}: ${master.director} runs no master sync daemon` });
  for (const b of up.filter((r) => r.vrrpState === 'BACKUP')) {
    const d = judged.get(b.director);
    const other = d?.backup?.syncId;
    if (d && !d.backup)
      out.push({ ...base, director: b.director, message: `${drop}: ${b.director} runs no backup sync daemon` });
    else if (m?.master && other !== undefined && other !== 0 && other !== m.master.syncId)
      out.push({
        ...base,
        director: b.director,
        message: `${drop}: ${b.director}'s backup sync daemon has syncid ${other}, ${master.director}'s master ${m.master.syncId}`,
      });
    else if (
      master.entries !== null &&
      b.entries !== null &&
      countedTogether(master, b, state.pollIntervalMs) &&
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
