import type { IpvsRates } from '../../collectors/ipvs-rates.js';
import { rateKey, realServerKey, realServerRowId, serviceRowId } from '../../collectors/ids.js';
import type { IpvsRealServer, IpvsService } from '../../collectors/ipvs-types.js';
import { staleParts } from './part-freshness.js';
import { drainLine } from './drain-line.js';
import { directorHealth, healthCell, type RealServerHealth } from '../model/rs-health.js';
import type { LvsState } from '../store/lvs-store.js';
import { formatBytesRate, formatCount, formatRate } from './format.js';
import { lazyCellsRow, type Column, type TableRow, type TableSpec } from './table-model.js';

export const SERVICE_COLUMNS: readonly Column[] = [
  { title: 'SERVICE / REAL SERVER', width: 26, align: 'left' },
  { title: 'SCHED/FWD', width: 10, align: 'left' },
  { title: 'PERS/W', width: 6, align: 'right' },
  { title: 'HEALTH', width: 9, align: 'left' },
  { title: 'ACTIVE', width: 6, align: 'right' },
  { title: 'INACT', width: 6, align: 'right' },
  { title: 'CONN/S', width: 6, align: 'right' },
  { title: 'BYTES/S', width: 7, align: 'right' },
];

const bytesPerSec = (r: { inBytesPerSec: number; outBytesPerSec: number } | undefined) =>
  r ? r.inBytesPerSec + r.outBytesPerSec : undefined;

/** A service's health cell: its weighted servers that probe and checker say are up, of all weighted (`2/2 up`). */
function weightedHealth(list: readonly RealServerHealth[]): string {
  const weighted = list.filter((h) => (h.rs?.weight ?? 0) > 0);
  if (weighted.length === 0) return '-';
  if (weighted.every((h) => h.verdict === 'not-probed' && !h.checker)) return '-';
  if (weighted.every((h) => h.healthy === undefined)) return '?';
  return `${weighted.filter((h) => h.healthy === true).length}/${weighted.length} up`;
}

/** What the operator reads (and types back: `FWM 77 IPv6` names the IPv6 fwmark service). */
export function serviceName(s: Pick<IpvsService, 'key'>): string {
  return s.key;
}

/** A persistence netmask as a prefix length when it is one (`255.255.255.0` → `/24`), else as printed. */
export function maskText(mask: string): string {
  const octets = mask.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return `/${mask}`;
  const bits = octets.map((o) => o.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? `/${bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')}` : `/${mask}`;
}

/** `30s`, or `30s/24` with a persistence netmask (-M); `-` when not persistent. */
export function persistenceText(s: Pick<IpvsService, 'persistence' | 'persistenceMask'>): string {
  if (s.persistence === undefined) return '-';
  return `${s.persistence}s${s.persistenceMask ? maskText(s.persistenceMask) : ''}`;
}

function directorStatus(state: LvsState, host: string, stale: boolean, now: number): string {
  const runtime = state.hosts[host];
  const d = state.ipvs[host];
  if (runtime?.status === 'down') return `DOWN ${runtime.error?.kind ?? ''}: ${runtime.error?.message ?? ''}`;
  if (!d) return 'waiting for first poll';
  const late = staleParts(runtime, now, 'ipvs');
  if (d.reading.status === 'ok')
    return `ipvs via ${d.reading.source}${d.reading.note ? ` (${d.reading.note})` : ''}${stale ? ' STALE' : ''}${late.length ? `: ${late.join('; ')}` : ''}`;
  return `${d.reading.status === 'not-loaded' ? 'ip_vs not loaded' : d.reading.kind}: ${d.reading.message}`;
}

/** What every row under one director shares: its host, how old its reading is, its tone, the probe threshold. */
interface DirectorContext {
  readonly host: string;
  readonly ageMs: number;
  readonly tone: 'stale' | 'normal';
  readonly failuresToDown: number;
}

function directorRow(state: LvsState, host: string, stale: boolean, ageMs: number | undefined, now: number): TableRow {
  const runtime = state.hosts[host];
  const d = state.ipvs[host];
  return {
    id: host,
    group: true,
    span: true,
    cells: [`director ${host}`, directorStatus(state, host, stale, now)],
    tone: runtime?.status === 'down' || (d && d.reading.status !== 'ok') ? 'critical' : stale ? 'stale' : 'heading',
    target: { kind: 'director', director: host },
    ...(ageMs === undefined ? {} : { ageMs }),
  };
}

function serviceRow(
  at: DirectorContext,
  s: IpvsService,
  r: IpvsRates | undefined,
  list: readonly RealServerHealth[],
): TableRow {
  const host = at.host;
  const live = s.realServers.filter((rs) => rs.weight > 0).length;
  const healthy = list.filter((h) => (h.rs?.weight ?? 0) > 0 && h.healthy !== false).length;
  return {
    id: serviceRowId(host, s.key),
    group: true,
    cells: [
      serviceName(s),
      [s.scheduler, ...s.flags].join(' '),
      persistenceText(s),
      weightedHealth(list),
      formatCount(s.realServers.reduce((a, rs) => a + rs.activeConns, 0)),
      formatCount(s.realServers.reduce((a, rs) => a + rs.inactiveConns, 0)),
      formatRate(r?.connsPerSec),
      formatBytesRate(bytesPerSec(r)),
    ],
    tone: live === 0 || healthy === 0 ? 'critical' : at.tone === 'stale' ? 'stale' : 'heading',
    ageMs: at.ageMs,
    detail: { kind: 'service', director: host, service: s.key },
    target: { kind: 'service', director: host, service: s.key },
  };
}

function realServerRow(
  at: DirectorContext,
  rates: Readonly<Record<string, IpvsRates>>,
  s: IpvsService,
  rs: IpvsRealServer,
  list: readonly RealServerHealth[],
): TableRow {
  const host = at.host;
  const rsKey = realServerKey(rs);
  const rr = rates[rateKey(s.key, rs)];
  const h = list.find((x) => x.rs === rs);
  const cells = () => [
    ` -> ${rsKey}`,
    rs.forward,
    String(rs.weight),
    h ? healthCell(h, at.failuresToDown) : '?',
    formatCount(rs.activeConns),
    formatCount(rs.inactiveConns),
    formatRate(rr?.connsPerSec),
    formatBytesRate(bytesPerSec(rr)),
  ];
  const downWeighted = h?.healthy === false && rs.weight > 0;
  return lazyCellsRow(
    {
      id: realServerRowId(host, s.key, rs),
      tone: downWeighted ? 'critical' : rs.weight === 0 ? 'warn' : at.tone,
      ageMs: at.ageMs,
      detail: { kind: 'real-server', address: rs.address },
      target: {
        kind: 'real-server',
        director: host,
        service: s.key,
        realServer: { address: rs.address, port: rs.port },
      },
    },
    cells,
  );
}

/** A server keepalived's checker took out of the table: listed, so a removal never looks like a missing server. */
function removedRealServerRow(at: DirectorContext, s: IpvsService, g: RealServerHealth): TableRow {
  const host = at.host;
  return {
    id: realServerRowId(host, s.key, g),
    cells: [` -x ${realServerKey(g)}`, '', '-', healthCell(g, at.failuresToDown), '', '', '', ''],
    tone: 'warn',
    ageMs: at.ageMs,
    detail: { kind: 'real-server', address: g.address },
  };
}

/** One cluster's directors, services and real servers as table rows, each carrying its typed target. */
export function serviceRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const rows: TableRow[] = [];
  const staleAfter = state.pollIntervalMs * 2;
  for (const host of cluster?.directors ?? []) {
    const d = state.ipvs[host];
    const ageMs = d ? now - d.readAt : undefined;
    const stale = ageMs === undefined || ageMs > staleAfter;
    rows.push(directorRow(state, host, stale, ageMs, now));
    if (!d || d.reading.status !== 'ok') continue;
    const at: DirectorContext = {
      host,
      ageMs: ageMs!,
      tone: stale ? 'stale' : 'normal',
      failuresToDown: cluster?.healthProbes?.failuresToDown ?? 2,
    };
    const health = directorHealth(state, host, now);
    for (const s of d.reading.table.services) {
      const list = health.filter((h) => h.service.key === s.key);
      rows.push(serviceRow(at, s, d.serviceRates[s.key], list));
      for (const rs of s.realServers) {
        rows.push(realServerRow(at, d.realServerRates, s, rs, list));
        const drain = rs.weight === 0 ? drainLine(state.drains[host], rateKey(s.key, rs), now) : undefined;
        if (drain) rows.push({ id: `${realServerRowId(host, s.key, rs)}|drain`, span: true, ...drain });
      }
      for (const g of list.filter((x) => !x.rs)) rows.push(removedRealServerRow(at, s, g));
    }
  }
  return { columns: SERVICE_COLUMNS, rows };
}
