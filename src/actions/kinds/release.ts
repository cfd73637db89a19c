import { z } from 'zod';
import type { ActionKind } from '../action-kind.js';
import type { VrrpPlan } from '../action-types.js';
import { name, vrrpTargetSchema } from '../console-schema.js';
import { buildVrrpPlan, validateVrrp, vrrpDriver } from '../plan-vrrp.js';
import type { VrrpTarget } from '../row-target.js';
import { releaseWrites } from '../vrrp-force.js';

export interface ReleaseConsoleRequest {
  readonly kind: 'release';
  readonly cluster: string;
  readonly target: VrrpTarget;
}

export interface ReleaseRequest {
  readonly action: 'release';
  readonly cluster: string;
  readonly director: string;
  readonly instance: string;
}

/** Write 0 to every console track file of a VRRP instance, on every director: back to the configured priorities. */
export const releaseKind: ActionKind<ReleaseRequest, ReleaseConsoleRequest, VrrpPlan> = {
  kind: 'release',
  actions: ['release'],
  consoleSchema: z.strictObject({ kind: z.literal('release'), cluster: name, target: vrrpTargetSchema }),
  fromConsole: (req) => [
    { action: 'release', cluster: req.cluster, director: req.target.director, instance: req.target.instance },
  ],
  validate: validateVrrp,
  plan: (ctx, request) =>
    buildVrrpPlan(ctx, request, 'release', () => ({
      force: (side, peers) => releaseWrites(request.instance, [side, ...peers]),
      title: `release ${request.instance}: write 0 to the console's track files`,
      warnings: [],
    })),
  driver: vrrpDriver,
  target: (r) => r.instance,
};
