import type { ActionContext } from './action-context.js';
import type { ActionPlan, SchedulerPlan, VrrpPlan, WeightPlan } from './action-types.js';
import { findCluster, findDirector } from './config-lookup.js';
import { drainKey } from './drain-memory.js';
import { readDirectorIpvs, readVrrpSide, type DirectorIpvs } from './live-read.js';
import { unique } from './plan-common.js';
import { schedulerLiveValues } from './plan-scheduler.js';
import { vrrpLiveValues } from './vrrp-fields.js';
import { weightLiveValues } from './weight-fields.js';

/** What differs between the kinds of action, bound to one plan; the steps around it are run-action.ts. */
export interface ActionDriver {
  /** Read the live values of every change in the plan, keyed like the audit log (changeKey). */
  read(ctx: ActionContext): Promise<Record<string, string>>;
  /** How long the read-back may take to show the expected values. */
  settleMs(ctx: ActionContext): number;
  /** Keep what must outlive the action, for the first `sent` commands that went through. */
  afterSend?(ctx: ActionContext, sent: number): Promise<void>;
}

const IPVS_SETTLE_MS = 2000;

async function readTables(ctx: ActionContext, plan: WeightPlan | SchedulerPlan): Promise<Map<string, DirectorIpvs>> {
  const cluster = findCluster(ctx.resolved.config, plan.cluster);
  const hosts = unique(plan.edits.map((e) => e.host));
  const tables = await Promise.all(hosts.map((h) => readDirectorIpvs(ctx, findDirector(cluster, h))));
  return new Map(tables.map((t) => [t.host, t]));
}

/** Remember weights of rows drained (for restore); forget rows that have weight again. */
async function rememberDrains(ctx: ActionContext, plan: WeightPlan, sent: number): Promise<void> {
  const save = new Map<string, number>();
  const forget: string[] = [];
  for (const e of plan.edits.slice(0, sent)) {
    const key = drainKey(plan.cluster, e.host, e.service.key, e.realServer);
    if (e.after === 0 && e.before > 0) save.set(key, e.before);
    else if (e.after > 0) forget.push(key);
  }
  await ctx.drained.update(save, forget);
}

function weightDriver(plan: WeightPlan): ActionDriver {
  return {
    read: async (ctx) => {
      const tables = await readTables(ctx, plan);
      return Object.assign({}, ...plan.edits.map((e) => weightLiveValues(e, tables.get(e.host)!)));
    },
    settleMs: () => IPVS_SETTLE_MS,
    afterSend: (ctx, sent) => rememberDrains(ctx, plan, sent),
  };
}

function schedulerDriver(plan: SchedulerPlan): ActionDriver {
  return {
    read: async (ctx) => {
      const tables = await readTables(ctx, plan);
      return Object.assign({}, ...plan.edits.map((e) => schedulerLiveValues(e, tables.get(e.host)!)));
    },
    settleMs: () => IPVS_SETTLE_MS,
  };
}

function vrrpDriver(plan: VrrpPlan): ActionDriver {
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

export function driverFor(plan: ActionPlan): ActionDriver {
  switch (plan.kind) {
    case 'weight':
      return weightDriver(plan);
    case 'scheduler':
      return schedulerDriver(plan);
    case 'failover':
    case 'release':
      return vrrpDriver(plan);
  }
}
