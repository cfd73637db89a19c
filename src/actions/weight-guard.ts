import { realServerKey } from '../../collectors/ids.js';
import type { ClusterConfig } from '../config/config-schema.js';
import type { WeightEdit } from './action-types.js';
import { peerDirectors } from './config-lookup.js';
import { keepalivedOwnerWarning, keepalivedOwns } from './keepalived-owner.js';
import type { IpvsTables } from './live-read.js';

/** A weight change on one real server of one service on one director. */
export interface WeightRow {
  readonly host: string;
  readonly service: { readonly key: string };
  readonly realServer: string;
  readonly after: number;
}

/** The live weights of one service's real servers, by real server key. */
export interface ServiceWeights {
  readonly host: string;
  readonly serviceKey: string;
  readonly weights: ReadonlyMap<string, number>;
}

/**
 * Services a weight change leaves with no real server above weight 0 although one had weight before: such a
 * service stops taking new connections. Returns `HOST SERVICE` for each.
 */
export function servicesLeftWithoutWeight(rows: readonly WeightRow[], services: readonly ServiceWeights[]): string[] {
  const out: string[] = [];
  for (const svc of services) {
    const changed = rows.filter((r) => r.host === svc.host && r.service.key === svc.serviceKey);
    if (changed.length === 0) continue;
    const after = [...svc.weights].map(([rs, w]) => changed.find((r) => r.realServer === rs)?.after ?? w);
    if ([...svc.weights.values()].some((w) => w > 0) && !after.some((w) => w > 0))
      out.push(`${svc.host} ${svc.serviceKey}`);
  }
  return out;
}

/** Services the edits would leave with no weighted real server, as `HOST SERVICE`. */
export function emptiedServices(edits: readonly WeightRow[], tables: IpvsTables): string[] {
  return servicesLeftWithoutWeight(
    edits,
    [...tables.values()].flatMap((live) =>
      live.table.services.map((svc) => ({
        host: live.host,
        serviceKey: svc.key,
        weights: new Map(svc.realServers.map((rs) => [realServerKey(rs), rs.weight])),
      })),
    ),
  );
}

/**
 * What the operator must know before a weight change: persistent services keep sending returning clients, tunnel
 * options are reset, and keepalived may undo a hand edit (peersUntouched: the same service on the peers stays).
 */
export function weightWarnings(
  edits: readonly WeightEdit[],
  tables: IpvsTables,
  cluster: ClusterConfig,
  peersUntouched: boolean,
): string[] {
  const warnings: string[] = [];
  for (const e of edits) {
    const svc = tables.get(e.host)!.table.services.find((s) => s.key === e.service.key)!;
    if (e.after === 0 && svc.persistence !== undefined)
      warnings.push(
        `${e.host} ${svc.key} is persistent (${svc.persistence} s): returning clients keep reaching ${e.realServer} until their templates expire, unless net.ipv4.vs.expire_quiescent_template=1`,
      );
    if (e.forward === 'Tunnel')
      warnings.push(
        `${e.realServer} is a tunnel real server: ipvsadm -e resets tunnel options (--tun-type) it is not given; check ipvsadm -Ln --tun-info`,
      );
  }
  for (const live of tables.values()) {
    const owned = live.keepalivedVirtualServers;
    if (owned === undefined || !edits.some((e) => e.host === live.host && keepalivedOwns(owned, e.service))) continue;
    const peers = peersUntouched ? peerDirectors(cluster, live.host).map((d) => d.host) : [];
    warnings.push(keepalivedOwnerWarning(live.host, 'weight change', peers));
  }
  return warnings;
}
