import type { ActionContext } from './action-context.js';
import type { ActionRequest, VrrpPlan } from './action-types.js';
import { findCluster, findDirector, findInstance, peerDirectors } from './config-lookup.js';
import { readVrrpSide } from './live-read.js';
import { actionCommand, unique } from './plan-common.js';
import { vrrpChanges } from './vrrp-fields.js';
import {
  peerNotReadyReason,
  planForceBackup,
  planForceMaster,
  planRelease,
  takeoverPeer,
  trackFileWriteArgv,
} from './vrrp-force.js';

type VrrpRequest = Extract<ActionRequest, { action: 'failover' | 'release' }>;

/** Plan forcing a VRRP state through the console's track files, or releasing them; reads, changes nothing. */
export async function buildVrrpPlan(ctx: ActionContext, request: VrrpRequest): Promise<VrrpPlan> {
  const cluster = findCluster(ctx.resolved.config, request.cluster);
  const director = findDirector(cluster, request.director);
  findInstance(cluster, director, request.instance);
  const { instance } = request;
  const peers = peerDirectors(cluster, director.host, instance);
  const [side, ...peerSides] = await Promise.all(
    [director, ...peers].map((d) => readVrrpSide(ctx, cluster, d, instance)),
  );
  const sides = [side!, ...peerSides];
  const force =
    request.action === 'release'
      ? planRelease(instance, sides)
      : request.to === 'BACKUP'
        ? planForceBackup(instance, side!, peerSides)
        : planForceMaster(instance, side!, peerSides);
  const notReady =
    request.action === 'failover' && request.to === 'BACKUP'
      ? peerNotReadyReason(instance, takeoverPeer(peerSides))
      : undefined;
  const warnings = [
    ...sides.filter((s) => s.problem).map((s) => `${s.host}: ${s.problem}`),
    ...(request.action === 'failover'
      ? [
          `the track file keeps ${instance} forced until released: lvstop release ${cluster.name} ${director.host} ${instance}`,
        ]
      : []),
  ];
  const vips = side!.vips ?? cluster.vips;
  const master = force.expect.master;
  return {
    kind: request.action,
    cluster: cluster.name,
    director: director.host,
    target: instance,
    instance,
    vips,
    writes: force.writes,
    sides,
    expect: force.expect,
    preview: {
      title:
        request.action === 'release'
          ? `release ${instance}: write 0 to the console's track files`
          : `force ${director.host} to ${request.to} for ${instance}`,
      hosts: unique(force.writes.map((w) => w.host)),
      commands: force.writes.map((w) => actionCommand(ctx, w.host, trackFileWriteArgv(w.value, w.path))),
      changes: vrrpChanges(instance, sides, force),
      outcome: `${force.explanation}${master ? `; ${master} holds ${vips.join(', ')} within ${ctx.failoverTimeoutMs / 1000} s` : ''}`,
      warnings: unique(warnings),
    },
    ...(notReady ? { guard: { reason: notReady, confirmName: director.host } } : {}),
    request,
    ...(request.action === 'failover'
      ? { undo: { action: 'release', cluster: cluster.name, director: director.host, instance } as const }
      : {}),
  };
}
