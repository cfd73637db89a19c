import { realServerKey } from '../../collectors/ipvs-types.js';
import type { ActionContext } from './action-context.js';
import { ActionError } from './action-error.js';
import type { WeightEdit, WeightPlan } from './action-types.js';
import { findCluster, findDirector, peerDirectors } from './config-lookup.js';
import { drainKey } from './drain-memory.js';
import { editRealServerArgv } from './ipvsadm-edit.js';
import { keepalivedOwnerWarning, keepalivedOwns } from './keepalived-owner.js';
import { readDirectorIpvs } from './live-read.js';
import { actionCommand, serviceRef, plural, unique } from './plan-common.js';
import { parseRealServerSpec } from './target-spec.js';
import { describeWeightChange, targetWeight } from './weight-change.js';
import { weightChanges } from './weight-fields.js';
import { servicesLeftWithoutWeight } from './weight-guard.js';
import { exactRows, selectRows, type Row, type WeightRequest } from './weight-rows.js';

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
      warnings.push(
        `${label}: weight is now ${row.rs.weight}, not ${row.seen} as shown; the action will abort (refresh first)`,
      );
    if (after === before && !stale) continue;
    const th = tables.get(row.host)!.thresholds.get(row.service.key)?.get(realServer);
    edits.push({
      host: row.host,
      service: serviceRef(row.service),
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
  const rsLabel =
    request.action === 'weight'
      ? parseRealServerSpec(request.realServer, cluster.realServers).label
      : unique(edits.map((e) => e.realServer)).join(', ');
  const serviceLabel =
    request.action === 'weight' && request.service !== 'all'
      ? unique(edits.map((e) => e.service.key)).join(', ')
      : plural(unique(edits.map((e) => e.service.key)).length, 'service');

  const emptied = servicesLeftWithoutWeight(
    edits,
    [...tables.values()].flatMap((live) =>
      live.table.services.map((svc) => ({
        host: live.host,
        serviceKey: svc.key,
        weights: new Map(svc.realServers.map((rs) => [realServerKey(rs), rs.weight])),
      })),
    ),
  );

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
    if (live.keepalivedVirtualServers === undefined) continue;
    if (!edits.some((e) => e.host === live.host && keepalivedOwns(live.keepalivedVirtualServers!, e.service))) continue;
    const peers =
      request.action === 'weight' && !request.alsoPeer ? peerDirectors(cluster, live.host).map((d) => d.host) : [];
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
      rows: edits.map((e) => ({
        host: e.host,
        service: e.service.key,
        realServer: e.realServer,
        weight: e.before,
        seen: e.after,
      })),
    },
  };
}
