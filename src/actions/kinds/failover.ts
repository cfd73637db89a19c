import { z } from 'zod';
import type { ActionKind } from '../action-kind.js';
import type { VrrpPlan } from '../action-types.js';
import { name, vrrpTargetSchema } from '../console-schema.js';
import { buildVrrpPlan, validateVrrp, vrrpDriver } from '../plan-vrrp.js';
import type { VrrpTarget } from '../row-target.js';
import { forceBackupWrites, forceMasterWrites, peerNotReadyReason, takeoverPeer } from '../vrrp-force.js';

export interface FailoverConsoleRequest {
  readonly kind: 'failover';
  readonly cluster: string;
  readonly target: VrrpTarget;
  readonly to: 'MASTER' | 'BACKUP';
}

export interface FailoverRequest {
  readonly action: 'failover';
  readonly cluster: string;
  readonly director: string;
  readonly instance: string;
  readonly to: 'MASTER' | 'BACKUP';
}

/** Force a director to MASTER or BACKUP for a VRRP instance through the console's track files; undone by release. */
export const failoverKind: ActionKind<FailoverRequest, FailoverConsoleRequest, VrrpPlan> = {
  kind: 'failover',
  actions: ['failover'],
  consoleSchema: z.strictObject({
    kind: z.literal('failover'),
    cluster: name,
    target: vrrpTargetSchema,
    to: z.enum(['MASTER', 'BACKUP']),
  }),
  fromConsole: (req) => [
    {
      action: 'failover',
      cluster: req.cluster,
      director: req.target.director,
      instance: req.target.instance,
      to: req.to,
    },
  ],
  validate: validateVrrp,
  plan: (ctx, request) =>
    buildVrrpPlan(ctx, request, 'failover', (cluster) => {
      const { director, instance, to } = request;
      return {
        force: (side, peers) =>
          to === 'BACKUP' ? forceBackupWrites(instance, side, peers) : forceMasterWrites(instance, side, peers),
        title: `force ${director} to ${to} for ${instance}`,
        warnings: [
          `the track file keeps ${instance} forced until released: lvstop release ${cluster.name} ${director} ${instance}`,
        ],
        ...(to === 'BACKUP' ? { notReady: (peers) => peerNotReadyReason(instance, takeoverPeer(peers)) } : {}),
        undo: { action: 'release', cluster: cluster.name, director, instance },
      };
    }),
  driver: vrrpDriver,
  target: (r) => r.instance,
};
