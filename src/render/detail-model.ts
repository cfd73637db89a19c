import { bracketed, rateKey, realServerKey, serviceRowId } from '../../collectors/ids.js';
import { drainText } from '../model/drain-progress.js';
import { connsText } from './conn-rows.js';
import { drainLine } from './drain-line.js';
import type { DirectorDrains, ServerDrain } from '../store/drain-slice.js';
import type { LvsState } from '../store/lvs-store.js';
import { formatAge, formatBytesRate, formatClientCount, formatRate } from './format.js';
import { realServerHealthLines, type HealthLine } from './health-lines.js';
import { persistenceText, serviceName } from './service-rows.js';

/** One real server of a service: its fixed columns, and the rate history and rates the sparklines are drawn from. */
export interface ServiceDetailRow {
  readonly id: string;
  readonly text: string;
  readonly connsHistory: readonly number[];
  readonly bytesHistory: readonly number[];
  readonly connsRate: string;
  readonly bytesRate: string;
}

export type ServiceDetail =
  | { readonly kind: 'missing'; readonly text: string }
  | { readonly kind: 'service'; readonly title: string; readonly rows: readonly ServiceDetailRow[] };

export interface DetailLine {
  readonly key: string;
  readonly text: string;
}

/** A real server across every director's services, with its host's NFS mounts and replication pairs. */
export interface RealServerDetail {
  readonly title: string;
  readonly services: readonly DetailLine[];
  readonly health: readonly HealthLine[];
  readonly mounts: readonly (DetailLine & { readonly ok: boolean })[];
  readonly replication: readonly DetailLine[];
  /**
   * While a director drains it, or a Connections view watches it: what its connection table holds, by state, and the
   * top clients.
   */
  readonly connections: readonly DetailLine[];
}

const NO_VALUES: readonly number[] = [];

/** The width of each of a service detail's two sparklines in a console `width` columns wide. */
export const detailSparkWidth = (width: number) => Math.max(10, Math.min(40, width - 60));

/** The column titles above a service's real servers, spaced for sparklines `spark` wide. */
export const serviceDetailHeading = (spark: number) =>
  `${'REAL SERVER'.padEnd(24)}${'FWD'.padEnd(7)}${'W'.padStart(5)}${'ACT'.padStart(6)}${'INACT'.padStart(7)}  CONN/S ${''.padEnd(spark - 6)} BYTES/S`;

/** A service on one director with its first `maxRows` real servers, or the line saying it is gone. */
export function serviceDetail(state: LvsState, director: string, key: string, maxRows: number): ServiceDetail {
  const d = state.ipvs[director];
  const svc = d?.reading.status === 'ok' ? d.reading.table.services.find((s) => s.key === key) : undefined;
  if (!d || !svc) return { kind: 'missing', text: `service ${key} is not on ${director} any more` };
  const title =
    `${serviceName(svc)} on ${director} · scheduler ${svc.scheduler}` +
    (svc.persistence === undefined ? '' : ` · persistent ${persistenceText(svc)}`) +
    (svc.persistenceMask ? ` mask ${svc.persistenceMask}` : '') +
    ` ${svc.flags.join(' ')}`;
  const rows = svc.realServers.slice(0, maxRows).map((rs): ServiceDetailRow => {
    const id = rateKey(svc.key, rs);
    const h = state.history[director]?.[id];
    const r = d.realServerRates[id];
    return {
      id,
      text: `${realServerKey(rs).padEnd(23)} ${rs.forward.padEnd(6)}${String(rs.weight).padStart(5)}${String(rs.activeConns).padStart(6)}${String(rs.inactiveConns).padStart(7)}`,
      connsHistory: h?.connsPerSec ?? NO_VALUES,
      bytesHistory: h?.bytesPerSec ?? NO_VALUES,
      connsRate: formatRate(r?.connsPerSec).padStart(6),
      bytesRate: formatBytesRate(r ? r.inBytesPerSec + r.outBytesPerSec : undefined).padStart(6),
    };
  });
  return { kind: 'service', title, rows };
}

/** One real server address as every director balances it, what probes and checkers say, and its host's storage. */
export function realServerDetail(state: LvsState, address: string, now: number): RealServerDetail {
  const rsHost = state.clusters.flatMap((c) => c.realServers).find((r) => r.address === address)?.host;
  const services = Object.values(state.ipvs).flatMap((d) =>
    d.reading.status === 'ok'
      ? d.reading.table.services.flatMap((s) =>
          s.realServers
            .filter((r) => r.address === address)
            .map((r) => ({
              key: serviceRowId(d.host, s.key),
              text: `  ${d.host.padEnd(14)} ${serviceName(s).padEnd(26)} ${r.forward.padEnd(6)} w${r.weight} act ${r.activeConns} inact ${r.inactiveConns}`,
            })),
        )
      : [],
  );
  const mounts = Object.values(state.nfs)
    .filter((m) => m.host === rsHost)
    .map((m) => ({
      key: m.id,
      text: `  NFS ${m.mountpoint}: ${m.health ?? '?'} ${m.reason ?? ''}`,
      ok: m.health === 'OK',
    }));
  const replication = state.clusters
    .flatMap((c) => c.replication)
    .filter((p) => p.source === rsHost || p.replica === rsHost)
    .map((p) => ({ key: p.id, text: `  replication ${p.name}: ${p.source} → ${p.replica}` }));
  const connections = Object.values(state.drains).flatMap((d) => connectionLines(d, address, now));
  return {
    title: `real server ${address}${rsHost ? ` (${rsHost}: ${state.hosts[rsHost]?.status ?? '?'})` : ''}`,
    services,
    health: realServerHealthLines(state, address, now),
    mounts,
    replication,
    connections,
  };
}

/** `    FIN_WAIT 44, ESTABLISHED 4, ASSURED 1 · top clients 10.18.11.100 ×48` */
function statesLine(x: Pick<ServerDrain, 'states' | 'topClients'>, indent = '    '): string {
  const states = Object.entries(x.states)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const top = x.topClients.map(formatClientCount).join(', ');
  return `${indent}${states || 'no entries'}${top ? ` · top clients ${top}` : ''}`;
}

/**
 * One director's entries for the address: its drains (as the line under the server says), then, under the age of
 * the read, what a Connections view has counted for it in the other services.
 */
function connectionLines(d: DirectorDrains, address: string, now: number): DetailLine[] {
  const mine = (x: { serverKey: string }) => x.serverKey.startsWith(`${bracketed(address)}:`);
  const drains = Object.entries(d.servers)
    .filter(([, x]) => mine(x))
    .flatMap(([key, x]) => [
      {
        key: `${d.host}|${key}`,
        text: `  ${d.host} ${x.serviceKey}: ${drainLine(d, key, now)?.cells[0]?.trim() ?? drainText(x.state)}`,
      },
      { key: `${d.host}|${key}|states`, text: statesLine(x) },
    ]);
  const watched = d.conns;
  const others = Object.entries(watched?.servers ?? {})
    .filter(([key, x]) => mine(x) && !d.servers[key])
    .flatMap(([key, x]) => [
      { key: `${d.host}|${key}`, text: `    ${x.serviceKey}: ${connsText(x)}` },
      { key: `${d.host}|${key}|states`, text: statesLine(x, '      ') },
    ]);
  if (!watched || others.length === 0) return drains;
  const cut = watched.complete ? '' : ' (cut short: at least these counts)';
  const read = {
    key: `${d.host}|read`,
    text: `  ${d.host}, table read ${formatAge(now - watched.read.at)} ago${cut}:`,
  };
  return [...drains, read, ...others];
}
