import { realServerKey } from '../collectors/ipvs-types.js';
import type { LvsState } from '../src/store/lvs-store.js';
import { formatBytesRate, formatCount, formatRate } from './format.js';
import type { Column, TableRow, TableSpec } from './table-model.js';

export const SERVICE_COLUMNS: readonly Column[] = [
  { title: 'SERVICE / REAL SERVER', width: 28, align: 'left' },
  { title: 'SCHED/FWD', width: 11, align: 'left' },
  { title: 'PERS/W', width: 6, align: 'right' },
  { title: 'ACTIVE', width: 6, align: 'right' },
  { title: 'INACT', width: 6, align: 'right' },
  { title: 'CONN/S', width: 6, align: 'right' },
  { title: 'IN/S', width: 6, align: 'right' },
  { title: 'OUT/S', width: 6, align: 'right' },
];

export function serviceName(s: { protocol: string; address?: string; port?: number; fwmark?: number }): string {
  if (s.protocol === 'FWM') return `FWM ${s.fwmark}`;
  const addr = s.address?.includes(':') ? `[${s.address}]` : s.address;
  return `${s.protocol} ${addr}:${s.port}`;
}

/** One cluster's directors, services and real servers as table rows. Ids: `dir`, `dir|svc`, `dir|svc|rs`. */
export function serviceRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = [];
  const staleAfter = state.pollIntervalMs * 2;
  for (const host of cluster?.directors ?? []) {
    const runtime = state.hosts[host];
    const d = state.ipvs[host];
    const ageMs = d ? now - d.readAt : undefined;
    const stale = ageMs === undefined || ageMs > staleAfter;
    const status =
      runtime?.status === 'down'
        ? `DOWN ${runtime.error?.kind ?? ''}: ${runtime.error?.message ?? ''}`
        : !d
          ? 'waiting for first poll'
          : d.reading.status === 'ok'
            ? `ipvs via ${d.reading.source}${d.reading.note ? ` (${d.reading.note})` : ''}${stale ? ' STALE' : ''}`
            : `${d.reading.status === 'not-loaded' ? 'ip_vs not loaded' : d.reading.kind}: ${d.reading.message}`;
    rows.push({
      id: host,
      group: true,
      span: true,
      cells: [`director ${host}`, status],
      tone: runtime?.status === 'down' || (d && d.reading.status !== 'ok') ? 'critical' : stale ? 'stale' : 'heading',
      ...(ageMs === undefined ? {} : { ageMs }),
    });
    if (!d || d.reading.status !== 'ok') continue;
    const tone = stale ? 'stale' : 'normal';
    for (const s of d.reading.table.services) {
      const r = d.serviceRates[s.key];
      const live = s.realServers.filter((rs) => rs.weight > 0).length;
      rows.push({
        id: `${host}|${s.key}`,
        group: true,
        cells: [
          serviceName(s),
          [s.scheduler, ...s.flags].join(' '),
          s.persistence === undefined ? '-' : `${s.persistence}s`,
          formatCount(s.realServers.reduce((a, rs) => a + rs.activeConns, 0)),
          formatCount(s.realServers.reduce((a, rs) => a + rs.inactiveConns, 0)),
          formatRate(r?.connsPerSec),
          formatBytesRate(r?.inBytesPerSec),
          formatBytesRate(r?.outBytesPerSec),
        ],
        tone: live === 0 ? 'critical' : tone === 'stale' ? 'stale' : 'heading',
        ageMs: ageMs!,
        detail: { kind: 'service', key: `${host}|${s.key}` },
      });
      for (const rs of s.realServers) {
        const rr = d.realServerRates[`${s.key}|${realServerKey(rs)}`];
        rows.push({
          id: `${host}|${s.key}|${realServerKey(rs)}`,
          cells: [
            ` -> ${realServerKey(rs)}`,
            rs.forward,
            String(rs.weight),
            formatCount(rs.activeConns),
            formatCount(rs.inactiveConns),
            formatRate(rr?.connsPerSec),
            formatBytesRate(rr?.inBytesPerSec),
            formatBytesRate(rr?.outBytesPerSec),
          ],
          tone: rs.weight === 0 ? 'warn' : tone,
          ageMs: ageMs!,
          detail: { kind: 'real-server', key: rs.address },
        });
      }
    }
  }
  return { columns: SERVICE_COLUMNS, rows };
}
