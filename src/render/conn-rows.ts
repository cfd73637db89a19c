import { rateKey, realServerKey, realServerRowId, serviceRowId } from '../../collectors/ids.js';
import type { IpvsRealServer, IpvsService } from '../../collectors/ipvs-types.js';
import { connReadPeriodMs } from '../model/conn-watch.js';
import { roundUpDuration } from '../model/drain-progress.js';
import type { DirectorDrains, ServerConns } from '../store/drain-slice.js';
import type { LvsState } from '../store/lvs-store.js';
import { formatAge, formatClientCount, formatCount } from './format.js';
import { persistenceText, serviceName } from './service-rows.js';
import type { Column, RowTone, TableRow, TableSpec } from './table-model.js';
import type { ViewId } from './views.js';

/** At 80 columns the top client is the last column seen whole; the other states need a wider terminal (or enter). */
export const CONNECTION_COLUMNS: readonly Column[] = [
  { title: 'REAL SERVER', width: 18, align: 'left' },
  { title: 'W', width: 5, align: 'right' },
  { title: 'ACT', width: 5, align: 'right' },
  { title: 'INACT', width: 5, align: 'right' },
  { title: 'TMPL', width: 5, align: 'right' },
  { title: 'EXPIRY', width: 6, align: 'right' },
  { title: 'TOP CLIENT', width: 18, align: 'left' },
  { title: 'OTHER STATES', width: 30, align: 'left' },
];

/** The clusters whose connection tables a console showing `view` of `cluster` asks to have read for every server. */
export const connectionsInterest = (view: ViewId, cluster: string): string[] =>
  view === 'connections' && cluster !== '' ? [cluster] : [];

/** What a server's row is drawn from: a watched read's counts, or (nothing watched) a drain's. */
type Counts = Pick<ServerConns, 'active' | 'inactive' | 'templates' | 'templateLeftSec' | 'states' | 'topClients'>;

function countsOf(d: DirectorDrains | undefined, key: string): Counts | undefined {
  const c = d?.conns?.servers[key];
  if (c) return c;
  const drain = d?.servers[key];
  if (!drain) return undefined;
  const { active, inactive, templates } = drain.state;
  return { active, inactive, templates, states: drain.states, topClients: drain.topClients };
}

/** `FIN_WAIT 44, ASSURED 1`: every state but ESTABLISHED (the ACT column), most entries first. */
export const otherStates = (states: Readonly<Record<string, number>>): string =>
  Object.entries(states)
    .filter(([k]) => k !== 'ESTABLISHED')
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

/** `4 active, 44 inactive, 1 template (longest 54s left)`: one server's counts as a sentence. */
export function connsText(c: Counts): string {
  const left = c.templateLeftSec === undefined ? '' : ` (longest ${roundUpDuration(c.templateLeftSec)} left)`;
  return `${c.active} active, ${c.inactive} inactive, ${c.templates} template${c.templates === 1 ? '' : 's'}${left}`;
}

/** What the director's heading says of its connection table, and how loud. */
function readStatus(state: LvsState, host: string, watched: boolean, now: number): { text: string; tone: RowTone } {
  const rt = state.hosts[host];
  const ipvs = state.ipvs[host]?.reading;
  const d = state.drains[host];
  const counted = d?.conns;
  const ago = (at: number) => `${formatAge(now - at)} ago`;
  if (rt?.status === 'down') {
    const last = counted ? `; counts below from ${ago(counted.read.at)}, not current` : '';
    return { text: `DOWN ${rt.error?.kind ?? ''}: ${rt.error?.message ?? ''}${last}`, tone: 'critical' };
  }
  if (!ipvs) return { text: 'waiting for the first poll', tone: 'dim' };
  if (ipvs.status !== 'ok')
    return {
      text: `no IPVS table: ${ipvs.status === 'not-loaded' ? '' : `${ipvs.kind}: `}${ipvs.message}`,
      tone: 'critical',
    };
  const failed = d && !d.read.ok ? `last read failed: ${d.read.error}` : '';
  if (!counted) {
    if (!watched) return { text: 'connection table read only while a server here drains (weight 0)', tone: 'dim' };
    return failed ? { text: failed, tone: 'warn' } : { text: 'connection table not read yet', tone: 'dim' };
  }
  const r = counted.read;
  const notes = [
    failed,
    r.truncatedBy === 'deadline' ? `read cut short at ${Math.round(r.ms / 1000)} s: at least these counts` : '',
    r.truncatedBy === 'lines' ? `read cut short at ${formatCount(r.entries)} entries: at least these counts` : '',
    !r.truncatedBy && !counted.complete ? 'not every entry counted: at least these counts' : '',
  ].filter(Boolean);
  const text = `read ${ago(r.at)}: ${r.entries} entries${notes.length ? `; ${notes.join('; ')}` : ''}`;
  return { text, tone: notes.length ? 'warn' : 'heading' };
}

function serverRow(
  host: string,
  s: IpvsService,
  rs: IpvsRealServer,
  d: DirectorDrains | undefined,
  at: { readonly ageMs: number; readonly stale: boolean },
): TableRow {
  const c = countsOf(d, rateKey(s.key, rs));
  const top = c?.topClients[0];
  const n = (v: number | undefined) => (v === undefined ? '-' : formatCount(v));
  return {
    id: realServerRowId(host, s.key, rs),
    cells: [
      `  ${realServerKey(rs)}`,
      String(rs.weight),
      n(c?.active),
      n(c?.inactive),
      n(c?.templates),
      c?.templateLeftSec === undefined ? '-' : roundUpDuration(c.templateLeftSec),
      top ? formatClientCount(top) : '-',
      c ? otherStates(c.states) || '-' : '',
    ],
    tone: at.stale ? 'stale' : !c ? 'dim' : rs.weight === 0 ? 'warn' : 'normal',
    ageMs: at.ageMs,
    detail: { kind: 'real-server', address: rs.address },
  };
}

/** Service headings name what a fwmark row counts: its connections cannot be told from another service's. */
const serviceHeading = (s: IpvsService): string =>
  [
    serviceName(s),
    s.scheduler,
    s.persistence === undefined ? '' : `persistent ${persistenceText(s)}`,
    s.fwmark === undefined ? '' : "(counts every entry toward each server's address)",
  ]
    .filter(Boolean)
    .join('  ');

/**
 * The Connections view: per director of the cluster, what its connection table holds for each real server of each
 * service (every weight, not only drains), the age of the read, and why there is none.
 */
export function connectionRows(state: LvsState, clusterName: string, now: number): TableSpec {
  const cluster = state.clusters.find((c) => c.name === clusterName);
  const watched = state.connectionsWatched.includes(clusterName);
  const rows: TableRow[] = [];
  for (const host of cluster?.directors ?? []) {
    const status = readStatus(state, host, watched, now);
    rows.push({
      id: `conns|${host}`,
      group: true,
      span: true,
      cells: [`director ${host}`, status.text],
      tone: status.tone,
    });
    const ipvs = state.ipvs[host];
    if (ipvs?.reading.status !== 'ok') continue;
    const d = state.drains[host];
    const countsAt = d?.conns?.read.at;
    const stale =
      state.hosts[host]?.status === 'down' ||
      (countsAt !== undefined && now - countsAt > 3 * connReadPeriodMs(state.pollIntervalMs));
    const at = { ageMs: now - ipvs.readAt, stale };
    for (const s of ipvs.reading.table.services) {
      rows.push({
        id: `conns|${serviceRowId(host, s.key)}`,
        group: true,
        span: true,
        cells: [serviceHeading(s)],
        tone: stale ? 'stale' : 'heading',
        detail: { kind: 'service', director: host, service: s.key },
      });
      for (const rs of s.realServers) rows.push(serverRow(host, s, rs, d, at));
    }
  }
  return { columns: CONNECTION_COLUMNS, rows };
}
