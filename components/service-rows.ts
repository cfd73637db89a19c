import { realServerKey } from '../collectors/ipvs-types.js';
import type { LvsState } from '../src/store/lvs-store.js';
import { formatBytesRate, formatCount, formatRate, padEnd, padStart } from './format.js';

export type RowTone = 'normal' | 'dim' | 'warn' | 'critical' | 'heading';

export interface ServiceRow {
  /** Stable id (kept across polls, used for selection). */
  readonly id: string;
  readonly kind: 'director' | 'service' | 'real-server' | 'message';
  readonly cells: readonly string[];
  readonly tone: RowTone;
}

export interface Column {
  readonly title: string;
  readonly width: number;
  readonly align: 'left' | 'right';
}

export const SERVICE_COLUMNS: readonly Column[] = [
  { title: 'SERVICE / REAL SERVER', width: 30, align: 'left' },
  { title: 'SCHED/FWD', width: 10, align: 'left' },
  { title: 'PERSIST/W', width: 9, align: 'right' },
  { title: 'ACTIVE', width: 7, align: 'right' },
  { title: 'INACT', width: 7, align: 'right' },
  { title: 'CONN/S', width: 7, align: 'right' },
  { title: 'IN/S', width: 7, align: 'right' },
  { title: 'OUT/S', width: 7, align: 'right' },
];

function serviceName(s: { protocol: string; address?: string; port?: number; fwmark?: number }): string {
  if (s.protocol === 'FWM') return `FWM ${s.fwmark}`;
  const addr = s.address?.includes(':') ? `[${s.address}]` : s.address;
  return `${s.protocol} ${addr}:${s.port}`;
}

/** Flatten one cluster's directors, services and real servers into table rows (columns as SERVICE_COLUMNS). */
export function serviceRows(state: LvsState, clusterName: string, now: number): ServiceRow[] {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  if (!cluster) return [];
  const rows: ServiceRow[] = [];
  const staleAfter = state.pollIntervalMs * 2;
  for (const host of cluster.directors) {
    const runtime = state.hosts[host];
    const d = state.ipvs[host];
    const age = d ? now - d.readAt : undefined;
    const stale = age === undefined || age > staleAfter;
    const status =
      runtime?.status === 'down'
        ? `DOWN ${runtime.error?.kind ?? ''}`
        : !d
          ? 'waiting for first poll'
          : d.reading.status === 'ok'
            ? `ipvs via ${d.reading.source}${d.reading.note ? ` (${d.reading.note})` : ''}`
            : `${d.reading.status === 'not-loaded' ? 'ip_vs not loaded' : d.reading.kind}: ${d.reading.message}`;
    rows.push({
      id: `${host}`,
      kind: 'director',
      cells: [`director ${host}`, status],
      tone: runtime?.status === 'down' || (d && d.reading.status !== 'ok') ? 'critical' : stale ? 'dim' : 'heading',
    });
    if (!d || d.reading.status !== 'ok') continue;
    const tone = stale ? 'dim' : 'normal';
    if (d.reading.table.services.length === 0) rows.push({ id: `${host}|empty`, kind: 'message', cells: ['  (no virtual services)'], tone: 'dim' });
    for (const s of d.reading.table.services) {
      const r = d.serviceRates[s.key];
      const active = s.realServers.reduce((a, rs) => a + rs.activeConns, 0);
      const inactive = s.realServers.reduce((a, rs) => a + rs.inactiveConns, 0);
      const live = s.realServers.filter((rs) => rs.weight > 0).length;
      rows.push({
        id: `${host}|${s.key}`,
        kind: 'service',
        cells: [
          serviceName(s),
          [s.scheduler, ...s.flags].join(' '),
          s.persistence === undefined ? '-' : `${s.persistence}s`,
          formatCount(active),
          formatCount(inactive),
          formatRate(r?.connsPerSec),
          formatBytesRate(r?.inBytesPerSec),
          formatBytesRate(r?.outBytesPerSec),
        ],
        tone: live === 0 ? 'critical' : tone,
      });
      for (const rs of s.realServers) {
        const rr = d.realServerRates[`${s.key}|${realServerKey(rs)}`];
        rows.push({
          id: `${host}|${s.key}|${realServerKey(rs)}`,
          kind: 'real-server',
          cells: [
            `  -> ${realServerKey(rs)}`,
            rs.forward,
            String(rs.weight),
            formatCount(rs.activeConns),
            formatCount(rs.inactiveConns),
            formatRate(rr?.connsPerSec),
            formatBytesRate(rr?.inBytesPerSec),
            formatBytesRate(rr?.outBytesPerSec),
          ],
          tone: rs.weight === 0 ? 'warn' : tone,
        });
      }
    }
  }
  return rows;
}

/** A row as one line of fixed-width text (headings and messages are not in columns). */
export function formatRow(row: ServiceRow): string {
  if (row.kind === 'director' || row.kind === 'message') return row.cells.join('  ');
  return SERVICE_COLUMNS.map((c, i) => (c.align === 'left' ? padEnd(row.cells[i] ?? '', c.width) : padStart(row.cells[i] ?? '', c.width))).join(' ');
}

export function formatHeader(): string {
  return SERVICE_COLUMNS.map((c) => (c.align === 'left' ? padEnd(c.title, c.width) : padStart(c.title, c.width))).join(' ');
}
