import { doctorChecks } from '../model/doctor.js';
import { ipvsDrift } from '../model/ipvs-drift.js';
import type { LvsState } from '../store/lvs-store.js';
import { clusterHosts } from './cluster-hosts.js';
import { formatAge } from './format.js';
import { checkDetail, hostDetail } from './host-detail.js';
import { staleParts } from './part-freshness.js';
import type { Column, TableRow, TableSpec } from './table-model.js';

export const HOSTS_COLUMNS: readonly Column[] = [
  { title: 'HOST', width: 13, align: 'left' },
  { title: 'STATE', width: 5, align: 'left' },
  { title: 'LOAD', width: 5, align: 'right' },
  { title: 'UP', width: 4, align: 'right' },
  { title: 'MEM', width: 4, align: 'right' },
  { title: 'KERNEL / CHECK', width: 22, align: 'left' },
  { title: 'IPVS', width: 5, align: 'left' },
  { title: 'DETAIL', width: 40, align: 'left' },
];

export function hostsViewRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = [];
  if (!cluster) return { columns: [], rows };
  const hosts = clusterHosts(cluster);
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
          : rt?.status === 'slow'
            ? staleParts(rt, now).join('; ')
            : rt?.pollDurationMs !== undefined
              ? `poll ${rt.pollDurationMs}ms`
              : '',
      ],
      tone:
        rt?.status === 'down' ? 'critical' : rt?.status === 'slow' ? 'warn' : rt?.status === 'up' ? 'normal' : 'dim',
      ...(rt?.readAt ? { ageMs: now - rt.readAt } : {}),
      detail: hostDetail(h, rt, now),
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
      detail: checkDetail(c),
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
    columns: HOSTS_COLUMNS,
    rows,
  };
}
