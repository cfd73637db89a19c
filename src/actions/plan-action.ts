import type { ActionContext } from './action-context.js';
import { ActionError } from './action-error.js';
import type { ActionPlan, ActionRequest, SchedulerPlan, VrrpPlan, WeightPlan } from './action-types.js';
import { failedRequestRecord } from './audit-log.js';
import { buildSchedulerPlan } from './plan-scheduler.js';
import { buildVrrpPlan } from './plan-vrrp.js';
import { buildWeightPlan } from './plan-weight.js';
import { validateRequest } from './validate-request.js';

type Without<R, K extends string> = R extends unknown ? Omit<R, K> : never;

/**
 * Plan any action: read the live state, build the preview, decide the guard. Changes nothing. A failure after a
 * host was contacted (unknown real server, host dropped) is written to the audit log before it is thrown.
 */
export async function planAction(ctx: ActionContext, request: ActionRequest): Promise<ActionPlan> {
  validateRequest(ctx.resolved.config, request);
  const started = ctx.now();
  let reachedHost = false;
  const tracked: ActionContext = {
    ...ctx,
    transport: (host) => {
      reachedHost = true;
      return ctx.transport(host);
    },
  };
  try {
    switch (request.action) {
      case 'weight':
      case 'weight-rows':
        return await buildWeightPlan(tracked, request);
      case 'scheduler':
        return await buildSchedulerPlan(tracked, request);
      case 'failover':
      case 'release':
        return await buildVrrpPlan(tracked, request);
    }
  } catch (err) {
    const quiet = err instanceof ActionError && err.kind === 'nothing-to-do';
    if (reachedHost && !quiet)
      await ctx.audit.append(
        failedRequestRecord({
          request,
          at: started,
          operator: ctx.operator,
          result: err instanceof ActionError && err.kind === 'refused' ? 'refused-guard' : 'error',
          message: err instanceof Error ? err.message : String(err),
          durationMs: ctx.now() - started,
        }),
      );
    throw err;
  }
}

export const planWeight = (
  ctx: ActionContext,
  request: Without<Extract<ActionRequest, { action: 'weight' }>, 'action'>,
) => planAction(ctx, { action: 'weight', ...request }) as Promise<WeightPlan>;

export const planScheduler = (
  ctx: ActionContext,
  request: Without<Extract<ActionRequest, { action: 'scheduler' }>, 'action'>,
) => planAction(ctx, { action: 'scheduler', ...request }) as Promise<SchedulerPlan>;

export const planFailover = (
  ctx: ActionContext,
  request: Without<Extract<ActionRequest, { action: 'failover' }>, 'action'>,
) => planAction(ctx, { action: 'failover', ...request }) as Promise<VrrpPlan>;

export const planRelease = (
  ctx: ActionContext,
  request: Without<Extract<ActionRequest, { action: 'release' }>, 'action'>,
) => planAction(ctx, { action: 'release', ...request }) as Promise<VrrpPlan>;
