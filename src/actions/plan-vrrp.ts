import type { ClusterConfig } from '../config/config-schema.js';
import type { ActionContext } from './action-context.js';
import type { ActionDriver } from './action-kind.js';
import type { ActionGuard, VrrpPlan } from './action-types.js';
import { findCluster, findDirector, findInstance, peerDirectors } from './config-lookup.js';
import { readVrrpSide } from './live-read.js';
import { actionCommand, unique } from './plan-common.js';
import { vrrpChanges, vrrpLiveValues } from './vrrp-fields.js';
import { trackFileWriteArgv, type VrrpForcePlan, type VrrpSide } from './vrrp-force.js';

/** A request naming one VRRP instance on one director. */
export interface VrrpRequest {
  readonly action: string;
  readonly cluster: string;
  readonly director: string;
  readonly instance: string;
}

/** What a VRRP kind (failover, release) decides; the reading and the preview around it are the same. */
export interface VrrpMove {
  /** The track file writes and the expected states, from the director's side and its peers'. */
  force(side: VrrpSide, peers: readonly VrrpSide[]): VrrpForcePlan;
  readonly title: string;
  readonly warnings: readonly string[];
  /** Why the operator must type the director's name, when they must. */
  notReady?(peers: readonly VrrpSide[]): string | undefined;
  readonly undo?: VrrpPlan['undo'];
}

/** Plan forcing a VRRP state through the console's track files, or releasing them; reads, changes nothing. */
export async function buildVrrpPlan(
  ctx: ActionContext,
  request: VrrpRequest & VrrpPlan['request'],
  kind: VrrpPlan['kind'],
  moveOf: (cluster: ClusterConfig) => VrrpMove,
): Promise<VrrpPlan> {
  const cluster = findCluster(ctx.resolved.config, request.cluster);
  const director = findDirector(cluster, request.director);
  findInstance(cluster, director, request.instance);
  const { instance } = request;
  const peers = peerDirectors(cluster, director.host, instance);
  const sides = await Promise.all([director, ...peers].map((d) => readVrrpSide(ctx, cluster, d, instance)));
  const [side, ...peerSides] = sides as [VrrpSide, ...VrrpSide[]];
  const move = moveOf(cluster);
  const force = move.force(side, peerSides);
  const notReady = move.notReady?.(peerSides);
  const guard: ActionGuard | undefined = notReady ? { reason: notReady, confirmName: director.host } : undefined;
  const vips = side.vips ?? cluster.vips;
  const master = force.expect.master;
  return {
    kind,
    cluster: cluster.name,
    director: director.host,
    target: instance,
    instance,
    vips,
    writes: force.writes,
    sides,
    expect: force.expect,
    preview: {
      title: move.title,
      hosts: unique(force.writes.map((w) => w.host)),
      commands: force.writes.map((w) => actionCommand(ctx, w.host, trackFileWriteArgv(w.value, w.path))),
      changes: vrrpChanges(instance, sides, force),
      outcome: `${force.explanation}${master ? `; ${master} holds ${vips.join(', ')} within ${ctx.failoverTimeoutMs / 1000} s` : ''}`,
      warnings: unique([...sides.filter((s) => s.problem).map((s) => `${s.host}: ${s.problem}`), ...move.warnings]),
    },
    ...(guard ? { guard } : {}),
    request,
    ...(move.undo ? { undo: move.undo } : {}),
  };
}

/** Every director's side read again: the failover timeout allows keepalived to move the VIP. */
export function vrrpDriver(plan: VrrpPlan): ActionDriver {
  return {
    read: async (ctx) => {
      const cluster = findCluster(ctx.resolved.config, plan.cluster);
      const sides = await Promise.all(
        plan.sides.map((s) => readVrrpSide(ctx, cluster, findDirector(cluster, s.host), plan.instance)),
      );
      return vrrpLiveValues(plan.preview.changes, sides);
    },
    settleMs: (ctx) => ctx.failoverTimeoutMs,
  };
}

/** Checks that need no host: the cluster, the director, its instance. */
export function validateVrrp(config: Parameters<typeof findCluster>[0], request: VrrpRequest): void {
  const cluster = findCluster(config, request.cluster);
  findInstance(cluster, findDirector(cluster, request.director), request.instance);
}
