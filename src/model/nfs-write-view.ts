import { exportOfMount, type ExportOfMount } from '../../collectors/nfs-exports.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';

type MountInfo = ClusterInfo['nfs'][number];

/** Can the web server's user write on one NFS client mount, and what that rests on. */
export interface NfsWriteRow {
  readonly id: string;
  readonly host: string;
  readonly mountpoint: string;
  readonly writePath: string;
  /** true writable, false not writable by the web user, null unknown (not checked yet, host down, mount not OK). */
  readonly ok: boolean | null;
  readonly user: string | null;
  readonly uid: number | null;
  readonly gid: number | null;
  /** Owner of the write path as the client sees it. */
  readonly owner: { readonly uid: number; readonly gid: number; readonly mode: string } | null;
  /** The export on its server, when the server is a configured host whose exports were read. */
  readonly export: (ExportOfMount & { readonly server: string }) | null;
  /** When the check ran (console clock); null: never. */
  readonly checkedAt: number | null;
  /** The whole story in one line: `www-data uid 33 on web1 cannot write: /var/www/html owned by uid 48 …`. */
  readonly reason: string;
}

const exportText = (e: ExportOfMount & { readonly server: string }) => {
  const squash =
    e.options.squash === 'all_squash'
      ? `all_squash to anonuid ${e.options.anonuid} anongid ${e.options.anongid}`
      : e.options.squash === 'root_squash'
        ? `root_squash (root as ${e.options.anonuid}:${e.options.anongid})`
        : 'no_root_squash';
  const owner = e.owner ? `, ${e.path} owned by ${e.owner.uid}:${e.owner.gid} mode ${e.owner.mode}` : '';
  return `export ${e.path} on ${e.server}: ${e.options.readOnly ? 'ro, ' : ''}${squash}${owner}`;
};

function serverExport(state: LvsState, m: MountInfo): NfsWriteRow['export'] {
  const n = state.nfs[m.id];
  const reading = m.server ? state.nfsExports[m.server]?.reading : undefined;
  if (!m.server || !reading || !n?.entry) return null;
  const clientAddress = n.entry.options.find((o) => o.startsWith('clientaddr='))?.slice('clientaddr='.length);
  const e = exportOfMount(reading, n.entry.device, n.entry.fstype, clientAddress);
  return e ? { ...e, server: m.server } : null;
}

export function nfsWriteRow(state: LvsState, m: MountInfo, now: number): NfsWriteRow {
  const n = state.nfs[m.id];
  const latest = n?.write;
  // A check without a verdict (timed out, could not run) leaves the last verdict standing, and says so.
  const killed = latest?.result?.writeExit === 137 || latest?.result?.writeExit === 124;
  const w = latest?.ok === null && killed && n?.writeSettled ? n.writeSettled : latest;
  const note =
    w !== latest && latest ? `; latest check ${Math.round((now - latest.at) / 1000)} s ago: ${latest.reason}` : '';
  const r = w?.result;
  const owner = r?.owner ?? null;
  const exp = serverExport(state, m);
  const base = {
    id: m.id,
    host: m.host,
    mountpoint: m.mountpoint,
    writePath: m.writePath,
    user: r?.user ?? null,
    uid: r?.uid ?? null,
    gid: r?.gid ?? null,
    owner,
    export: exp,
    checkedAt: w?.at ?? null,
  };
  if (!w) return { ...base, ok: null, reason: 'write not checked yet' };
  // A down host's last check is history, and a mount that does not answer stat is not written to.
  if (state.hosts[m.host]?.status === 'down')
    return {
      ...base,
      ok: null,
      reason: `last known, ${Math.round((now - w.at) / 1000)} s ago (host down): ${w.reason}`,
    };
  if (n?.health && n.health !== 'OK' && n.health !== 'SLOW')
    return { ...base, ok: null, reason: `write not checked: mount ${n.health}` };
  if (w.ok === null || !r) return { ...base, ok: null, reason: w.reason };
  const who = `${r.user ?? 'uid'} uid ${r.uid ?? '?'} gid ${r.gid ?? '?'} on ${m.host}`;
  const path = owner
    ? `${m.writePath} owned by uid ${owner.uid} gid ${owner.gid} mode ${owner.mode}`
    : `${m.writePath} (owner unknown: ${r.ownerError ?? 'not read'})`;
  const context = exp ? ` (${exportText(exp)})` : '';
  if (w.ok) return { ...base, ok: true, reason: `${who} can write: ${path}${context}${note}` };
  const why = w.reason.replace(/^.*?(cannot write|can create but not remove|the write did not finish)/, '$1');
  const detail = why.startsWith('cannot write: ') ? `: ${why.slice('cannot write: '.length)}` : ` (${why})`;
  return { ...base, ok: false, reason: `${who} cannot write: ${path}${context}${detail}${note}` };
}

/** One row per configured NFS client mount of the cluster. */
export const nfsWriteRows = (state: LvsState, cluster: ClusterInfo, now: number): NfsWriteRow[] =>
  cluster.nfs.map((m) => nfsWriteRow(state, m, now));

/** A write row as `snapshot --json` prints it. */
export const nfsWriteJson = (w: NfsWriteRow) => ({
  ok: w.ok,
  path: w.writePath,
  user: w.user,
  uid: w.uid,
  gid: w.gid,
  owner: w.owner,
  export: w.export
    ? {
        server: w.export.server,
        path: w.export.path,
        squash: w.export.options.squash,
        anonuid: w.export.options.anonuid,
        anongid: w.export.options.anongid,
        owner: w.export.owner ?? null,
      }
    : null,
  checkedAt: w.checkedAt === null ? null : new Date(w.checkedAt).toISOString(),
  reason: w.reason,
});
