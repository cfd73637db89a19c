// Planning one kind of action from the text a headless command takes: what the action tests ask for.
import type { ActionContext } from '../../src/actions/action-context.js';
import { planAction } from '../../src/actions/action-kinds.js';
import type { SchedulerPlan, VrrpPlan, WeightPlan } from '../../src/actions/action-types.js';
import type { FailoverRequest } from '../../src/actions/kinds/failover.js';
import type { ReleaseRequest } from '../../src/actions/kinds/release.js';
import { schedulerRequestOf, weightRequestOf } from '../../src/actions/target-spec.js';

type Args<F extends (config: never, args: never) => unknown> = Parameters<F>[1];

export const planWeight = async (ctx: ActionContext, args: Args<typeof weightRequestOf>) =>
  (await planAction(ctx, weightRequestOf(ctx.resolved.config, args))) as WeightPlan;

export const planScheduler = async (ctx: ActionContext, args: Args<typeof schedulerRequestOf>) =>
  (await planAction(ctx, schedulerRequestOf(ctx.resolved.config, args))) as SchedulerPlan;

export const planFailover = async (ctx: ActionContext, request: Omit<FailoverRequest, 'action'>) =>
  (await planAction(ctx, { action: 'failover', ...request })) as VrrpPlan;

export const planRelease = async (ctx: ActionContext, request: Omit<ReleaseRequest, 'action'>) =>
  (await planAction(ctx, { action: 'release', ...request })) as VrrpPlan;
