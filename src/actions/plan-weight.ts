import { realServerKey, type IpvsService } from '../../collectors/ipvs-types.js';
import type { ActionContext } from './action-context.js';
import { ActionError, badInput } from './action-error.js';
import { rowId, type ActionRequest, type WeightEdit, type WeightPlan } from './action-types.js';
import { findCluster, findDirector, peerDirectors } from './config-lookup.js';
import { drainKey } from './drain-memory.js';
import { editRealServerArgv } from './ipvsadm-edit.js';
import { keepalivedOwnerWarning, keepalivedOwns } from './keepalived-owner.js';
import { readDirectorIpvs, type DirectorIpvs } from './live-read.js';
import { actionCommand, plural, unique } from './plan-common.js';
import { matchesRealServer, parseRealServerSpec, parseServiceSpec } from './target-spec.js';
import { describeWeightChange, targetWeight } from './weight-change.js';
import { weightChanges } from './weight-fields.js';
import { servicesLeftWithoutWeight } from './weight-guard.js';

type WeightRequest = Extract<ActionRequest, { action: 'weight' | 'weight-rows' }>;

interface Row {
  readonly host: string;
  readonly service: IpvsService;
  readonly rs: IpvsService['realServers'][number];
  readonly seen?: number;
  /** The weight asked for, when the request names it (weight-rows). */
  readonly weight?: number;
}

const serviceList = (live: DirectorIpvs) => live.table.services.map((s) => s.key).join(', ') || 'none';

function findService(live: DirectorIpvs, spec: string): IpvsService | undefined {
  const key = parseServiceSpec(spec).key;
  return live.table.services.find((s) => s.key === key);
}

/** Rows a `weight` request selects on one director; none on the director itself is bad input, on a peer a warning. */
function selectRows(
  request: Extract<WeightRequest, { action: 'weight' }>,
  live: DirectorIpvs,
  configured: readonly { host?: string; address: string }[],
): Row[] {
  const rsSpec = parseRealServerSpec(request.realServer, configured);
  const services =
    request.service === 'all'
      ? live.table.services
      : [findService(live, request.service)].filter((s): s is IpvsService => s !== undefined);
  if (services.length === 0)
    throw badInput(`no service ${request.service} on ${live.host} (services: ${serviceList(live)})`);
  const rows = services.flatMap((service) =>
    service.realServers
      .filter((rs) => matchesRealServer(rsSpec, rs))
      .map((rs) => {
        const seen = request.seen?.[rowId(live.host, service.key, realServerKey(rs))];
        return { host: live.host, service, rs, ...(seen === undefined ? {} : { seen }) };
      }),
  );
  if (rows.length === 0)
    throw badInput(
      `no real server ${rsSpec.label} in ${request.service === 'all' ? 'any service' : services[0]!.key} on ${live.host}`,
    );
  return rows;
}

function exactRows(request: Extract<WeightRequest, { action: 'weight-rows' }>, tables: ReadonlyMap<string, DirectorIpvs>): Row[] {
  return request.rows.map((r) => {
    const live = tables.get(r.host)!;
    const service = findService(live, r.service);
    const rs = service?.realServers.find((x) => realServerKey(x) === r.realServer);
    if (!service || !rs) throw badInput(`no real server ${r.realServer} in ${r.service} on ${r.host}`);
    return { host: r.host, service, rs, weight: r.weight, ...(r.seen === undefined ? {} : { seen: r.seen }) };
  });
}

/** Plan a weight change on one or several rows; reads the live tables, changes nothing. */
export async function buildWeightPlan(ctx: ActionContext, request: WeightRequest): Promise<WeightPlan> {
  const cluster = findCluster(ctx.resolved.config, request.cluster);
  const director = findDirector(cluster, request.director);
  const directors =
    request.action === 'weight-rows'
      ? unique(request.rows.map((r) => r.host)).map((h) => findDirector(cluster, h))
      : [director, ...(request.alsoPeer ? peerDirectors(cluster, director.host) : [])];
  const tables = new Map((await Promise.all(directors.map((d) => readDirectorIpvs(ctx, d)))).map((t) => [t.host, t]));
  const warnings: string[] = [];
  let rows: Row[];
  if (request.action === 'weight') {
    rows = selectRows(request, tables.get(director.host)!, cluster.realServers);
    for (const peer of directors.slice(1)) {
      try {
        rows.push(...selectRows(request, tables.get(peer.host)!, cluster.realServers));
      } catch (err) {
        if (!(err instanceof ActionError)) throw err;
        warnings.push(`peer ${peer.host}: ${err.message}; left alone`);
      }
    }
  } else rows = exactRows(request, tables);

  const edits: WeightEdit[] = [];
  for (const row of rows) {
    const realServer = realServerKey(row.rs);
    const label = `${row.host} ${row.service.key} ${realServer}`;
    let after = row.weight;
    if (after === undefined && request.action === 'weight') {
      const remembered =
        request.change.kind === 'restore'
          ? await ctx.drained.get(drainKey(cluster.name, row.host, row.service.key, realServer))
          : undefined;
      after = targetWeight(request.change, row.rs.weight, remembered, label);
    }
    if (after === undefined) continue;
    const before = row.seen ?? row.rs.weight;
    const stale = row.seen !== undefined && row.seen !== row.rs.weight;
    if (stale)
      warnings.push(`${label}: weight is now ${row.rs.weight}, not ${row.seen} as shown; the action will abort (refresh first)`);
    if (after === before && !stale) continue;
    const th = tables.get(row.host)!.thresholds.get(row.service.key)?.get(realServer);
    edits.push({
      host: row.host,
      service: { key: row.service.key, protocol: row.service.protocol, address: row.service.address, port: row.service.port, fwmark: row.service.fwmark, ipv6: row.service.ipv6 },
      realServer,
      address: row.rs.address,
      port: row.rs.port,
      forward: row.rs.forward,
      ...(th ? { thresholds: th } : {}),
      before,
      after,
    });
  }
  if (edits.length === 0)
    throw new ActionError('nothing-to-do', `nothing to change: every selected real server already has that weight`);

  const commands = edits.map((e) => actionCommand(ctx, e.host, editRealServerArgv(e.service, e, e.after)));
  const rsLabel = request.action === 'weight' ? parseRealServerSpec(request.realServer, cluster.realServers).label : unique(edits.map((e) => e.realServer)).join(', ');
  const serviceLabel = request.action === 'weight' && request.service !== 'all' ? parseServiceSpec(request.service).key : plural(unique(edits.map((e) => e.service.key)).length, 'service');

  const others = new Map<string, number[]>();
  for (const live of tables.values())
    for (const svc of live.table.services) {
      const id = `${live.host} ${svc.key}`;
      others.set(id, svc.realServers.filter((rs) => !edits.some((e) => e.host === live.host && e.service.key === svc.key && e.realServer === realServerKey(rs))).map((rs) => rs.weight));
    }
  const emptied = servicesLeftWithoutWeight(edits.map((e) => ({ host: e.host, serviceKey: e.service.key, realServer: e.realServer, before: e.before, after: e.after })), others);

  for (const e of edits) {
    const svc = tables.get(e.host)!.table.services.find((s) => s.key === e.service.key)!;
    if (e.after === 0 && svc.persistence !== undefined)
      warnings.push(`${e.host} ${svc.key} is persistent (${svc.persistence} s): returning clients keep reaching ${e.realServer} until their templates expire, unless net.ipv4.vs.expire_quiescent_template=1`);
    if (e.forward === 'Tunnel')
      warnings.push(`${e.realServer} is a tunnel real server: ipvsadm -e resets tunnel options (--tun-type) it is not given; check ipvsadm -Ln --tun-info`);
  }
  for (const live of tables.values()) {
    if (live.keepalivedVirtualServers === undefined) continue;
    if (!edits.some((e) => e.host === live.host && keepalivedOwns(live.keepalivedVirtualServers!, e.service))) continue;
    const peers = request.action === 'weight' && !request.alsoPeer ? peerDirectors(cluster, live.host).map((d) => d.host) : [];
    warnings.push(keepalivedOwnerWarning(live.host, 'weight change', peers));
  }
  const title =
    request.action === 'weight'
      ? `${describeWeightChange(request.change)}: ${rsLabel} in ${serviceLabel} on ${unique(edits.map((e) => e.host)).join(', ')}`
      : `set weights back: ${edits.map((e) => `${e.realServer} ${e.after}`).join(', ')}`;
  return {
    kind: 'weight',
    cluster: cluster.name,
    director: director.host,
    target: `${serviceLabel} ${rsLabel}`,
    edits,
    preview: {
      title,
      hosts: unique(edits.map((e) => e.host)),
      commands,
      changes: edits.flatMap(weightChanges),
      outcome: edits.every((e) => e.after === 0)
        ? `${rsLabel} gets no new connections; established ones continue until they close`
        : 'the new weights apply to new connections at once; established connections stay where they are',
      warnings: unique(warnings),
    },
    ...(emptied.length > 0
      ? {
          guard: {
            reason: `${emptied.join(', ')} would have no real server with weight > 0 and stop taking new connections`,
            confirmName: rsLabel,
          },
        }
      : {}),
    request,
    undo: {
      action: 'weight-rows',
      cluster: cluster.name,
      director: director.host,
      rows: edits.map((e) => ({ host: e.host, service: e.service.key, realServer: e.realServer, weight: e.before, seen: e.after })),
    },
  };
}
