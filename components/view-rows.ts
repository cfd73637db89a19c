import { doctorChecks } from '../src/model/doctor.js';
import { ipvsDrift } from '../src/model/ipvs-drift.js';
import { clusterOverview } from '../src/model/overview.js';
import { replicationRows } from '../src/model/replication-view.js';
import { vrrpRows } from '../src/model/vrrp.js';
import type { LvsState } from '../src/store/lvs-store.js';
import { formatAge, formatCount } from './format.js';
import type { RowTone, TableRow, TableSpec } from './table-model.js';

const levelTone = { ok: 'ok', warn: 'warn', critical: 'critical', unknown: 'dim' } as const;
const clock = (unixSec: number | undefined) => (unixSec ? new Date(unixSec * 1000).toISOString().slice(11, 19) : '-');

export function overviewRows(state: LvsState, now: number): TableSpec {
  const rows: TableRow[] = [];
  for (const c of state.clusters) {
    const o = clusterOverview(state, c, now);
    rows.push({
      id: c.name,
      cells: [c.name, c.mode.toUpperCase(), o.level.toUpperCase(), ...o.headline, o.reasons[0] ?? ''],
      tone: levelTone[o.level],
    });
    for (const [i, r] of o.reasons.slice(1, 6).entries())
      rows.push({ id: `${c.name}|r${i}`, cells: ['', '', '', '', '', '', r], tone: 'dim' });
  }
  return {
    columns: [
      { title: 'CLUSTER', width: 12, align: 'left' },
      { title: 'MODE', width: 4, align: 'left' },
      { title: 'STATE', width: 8, align: 'left' },
      { title: 'SERVICES', width: 11, align: 'left' },
      { title: 'ACTIVE', width: 10, align: 'left' },
      { title: 'RATE', width: 12, align: 'left' },
      { title: 'WHY', width: 40, align: 'left' },
    ],
    rows,
  };
}

const vrrpTone = (s: string): RowTone =>
  s === 'MASTER' ? 'ok' : s === 'BACKUP' ? 'normal' : s === 'UNKNOWN' ? 'dim' : 'critical';

export function vrrpViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = cluster
    ? vrrpRows(state, cluster).map((r) => {
        const read = state.keepalived[r.director]?.readAt;
        return {
          id: `${r.director}/${r.instance}`,
          cells: [
            r.director,
            r.instance,
            r.state === 'UNREACHABLE' ? 'UNREACH' : r.state,
            r.vrid === undefined ? '-' : String(r.vrid),
            r.basePriority === undefined ? '-' : `${r.basePriority}/${r.effectivePriority}`,
            r.holdsVips.join(',') || '-',
            clock(r.lastTransition),
            r.trackFiles.map((t) => `${t.name}=${t.status}`).join(' ') || (r.problem ?? ''),
          ],
          tone: vrrpTone(r.state),
          ...(read ? { ageMs: now - read } : {}),
        };
      })
    : [];
  return {
    columns: [
      { title: 'DIRECTOR', width: 11, align: 'left' },
      { title: 'INSTANCE', width: 9, align: 'left' },
      { title: 'STATE', width: 7, align: 'left' },
      { title: 'VRID', width: 4, align: 'right' },
      { title: 'PRIO B/E', width: 8, align: 'right' },
      { title: 'HOLDS VIP', width: 13, align: 'left' },
      { title: 'CHANGED', width: 8, align: 'left' },
      { title: 'TRACK / PROBLEM', width: 30, align: 'left' },
    ],
    rows,
  };
}

export function replicationViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = (cluster ? replicationRows(state, cluster) : []).map((r) => {
    const read = state.replication[r.id]?.replica?.readAt;
    return {
      id: r.id,
      cells: [
        r.name,
        `${r.source} → ${r.replica}`,
        r.lagSeconds === undefined ? '?' : `${r.lagSeconds}s`,
        r.level.toUpperCase(),
        r.pendingChanges === undefined ? '-' : String(r.pendingChanges),
        r.pusherRunning === undefined ? '-' : r.pusherRunning ? 'running' : 'STOPPED',
        r.problems.join('; '),
      ],
      tone: levelTone[r.level],
      ...(read ? { ageMs: now - read } : {}),
    };
  });
  return {
    columns: [
      { title: 'PAIR', width: 12, align: 'left' },
      { title: 'SOURCE → REPLICA', width: 18, align: 'left' },
      { title: 'LAG', width: 7, align: 'right' },
      { title: 'STATE', width: 8, align: 'left' },
      { title: 'PENDING', width: 7, align: 'right' },
      { title: 'PUSHER', width: 8, align: 'left' },
      { title: 'PROBLEMS', width: 30, align: 'left' },
    ],
    rows,
  };
}

const nfsTone = (h: string | undefined): RowTone =>
  h === 'OK' ? 'ok' : h === 'SLOW' ? 'warn' : h === undefined ? 'dim' : 'critical';

export function storageViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = (cluster?.nfs ?? []).map((m) => {
    const n = state.nfs[m.id];
    const d = n?.delta;
    return {
      id: m.id,
      cells: [
        m.host,
        m.mountpoint,
        n?.entry?.device ?? m.export ?? '-',
        `${n?.health ?? '?'}${n?.probeRunning ? '*' : ''}`,
        n?.probe ? `${n.probe.elapsedMs}ms` : '-',
        d ? formatCount(d.ops) : '-',
        d && d.ops > 0 ? `${Math.round(d.rttMs / d.ops)}ms` : '-',
        d ? String(d.majorTimeouts) : '-',
        n?.reason ?? '',
      ],
      tone: nfsTone(n?.health),
      ...(n?.probedAt ? { ageMs: now - n.probedAt } : {}),
    };
  });
  return {
    columns: [
      { title: 'HOST', width: 8, align: 'left' },
      { title: 'MOUNT', width: 14, align: 'left' },
      { title: 'EXPORT', width: 14, align: 'left' },
      { title: 'HEALTH', width: 8, align: 'left' },
      { title: 'PROBE', width: 7, align: 'right' },
      { title: 'OPS', width: 5, align: 'right' },
      { title: 'RTT', width: 6, align: 'right' },
      { title: 'MAJTO', width: 5, align: 'right' },
      { title: 'WHY', width: 30, align: 'left' },
    ],
    rows,
  };
}

export function hostsViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = [];
  if (!cluster) return { columns: [], rows };
  const hosts = [
    ...new Set([
      ...cluster.directors,
      ...cluster.realServers.flatMap((r) => (r.host ? [r.host] : [])),
      ...cluster.nfs.map((n) => n.host),
    ]),
  ];
  rows.push({ id: 'hosts', group: true, span: true, cells: ['HOSTS'], tone: 'heading' });
  for (const h of hosts) {
    const rt = state.hosts[h];
    const i = rt?.info;
    rows.push({
      id: `host:${h}`,
      cells: [
        h,
        rt?.status ?? '?',
        i ? `${i.load1.toFixed(2)}` : '-',
        i ? formatAge(i.uptimeSec * 1000) : '-',
        i ? `${Math.round((1 - i.memAvailableKb / i.memTotalKb) * 100)}%` : '-',
        i?.kernel ?? '-',
        rt?.net ? (rt.net.ipvsLoaded ? 'ip_vs' : '-') : '?',
        rt?.error
          ? `${rt.error.kind}: ${rt.error.message}`
          : rt?.pollDurationMs !== undefined
            ? `poll ${rt.pollDurationMs}ms`
            : '',
      ],
      tone: rt?.status === 'down' ? 'critical' : rt?.status === 'up' ? 'normal' : 'dim',
      ...(rt?.readAt ? { ageMs: now - rt.readAt } : {}),
    });
  }
  rows.push({ id: 'doctor', group: true, span: true, cells: ['DOCTOR'], tone: 'heading' });
  for (const c of doctorChecks(state, cluster)) {
    rows.push({
      id: `doctor:${c.id}`,
      cells: [
        c.host,
        c.pass === undefined ? '?' : c.pass ? 'PASS' : 'FAIL',
        '',
        '',
        '',
        c.title,
        '',
        c.pass === false ? `${c.detail} — fix: ${c.fix ?? ''}` : c.detail,
      ],
      tone: c.pass === undefined ? 'dim' : c.pass ? 'ok' : 'critical',
    });
  }
  const drift = ipvsDrift(state, cluster);
  if (drift.length > 0) {
    rows.push({ id: 'drift', group: true, span: true, cells: ['IPVS DRIFT BETWEEN DIRECTORS'], tone: 'heading' });
    for (const d of drift)
      rows.push({
        id: `drift:${d.service}:${d.what}`,
        cells: [
          d.service,
          '',
          '',
          '',
          '',
          d.what,
          '',
          Object.entries(d.values)
            .map(([k, v]) => `${k}: ${v}`)
            .join('  '),
        ],
        tone: 'warn',
      });
  }
  return {
    columns: [
      { title: 'HOST', width: 13, align: 'left' },
      { title: 'STATE', width: 5, align: 'left' },
      { title: 'LOAD', width: 5, align: 'right' },
      { title: 'UP', width: 4, align: 'right' },
      { title: 'MEM', width: 4, align: 'right' },
      { title: 'KERNEL / CHECK', width: 22, align: 'left' },
      { title: 'IPVS', width: 5, align: 'left' },
      { title: 'DETAIL', width: 40, align: 'left' },
    ],
    rows,
  };
}

const sevTone = { info: 'normal', warn: 'warn', critical: 'critical' } as const;

export function eventRows(state: LvsState, clusterName: string | undefined): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const hosts = new Set(
    cluster
      ? [
          ...cluster.directors,
          ...cluster.realServers.flatMap((r) => (r.host ? [r.host] : [])),
          ...cluster.nfs.map((n) => n.host),
        ]
      : [],
  );
  const rows: TableRow[] = [...state.events]
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => !cluster || e.cluster === cluster.name || (e.host !== undefined && hosts.has(e.host)))
    .reverse()
    .map(({ e, i }) => ({
      id: `ev${i}-${e.at}`,
      cells: [new Date(e.at).toISOString().slice(11, 19), e.severity.toUpperCase(), e.kind, e.message],
      tone: sevTone[e.severity],
    }));
  return {
    columns: [
      { title: 'TIME', width: 8, align: 'left' },
      { title: 'SEV', width: 8, align: 'left' },
      { title: 'KIND', width: 18, align: 'left' },
      { title: 'MESSAGE', width: 60, align: 'left' },
    ],
    rows,
  };
}
