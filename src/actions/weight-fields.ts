import { drainKey, realServerKey } from '../../collectors/ids.js';
import type { ActionDriver } from './action-kind.js';
import type { ActionChange, WeightEdit, WeightPlan } from './action-types.js';
import { changeKey } from './audit-log.js';
import { findCluster } from './config-lookup.js';
import { readIpvsTables, type IpvsTables, type LiveIpvs } from './live-read.js';
import { actionCommand, serviceRef, unique } from './plan-common.js';
import { editRealServerArgv } from './ipvsadm-edit.js';
import { targetWeight, type WeightChange } from './weight-change.js';
import type { Row } from './kinds/weight.js';

/** The values a weight edit changes or must keep, for the preview, compare-and-set and read-back. */
export function weightChanges(edit: WeightEdit): ActionChange[] {
  const target = `${edit.service.key} ${edit.realServer}`;
  const t = edit.thresholds;
  return [
    { host: edit.host, target, field: 'weight', before: String(edit.before), after: String(edit.after) },
    { host: edit.host, target, field: 'forwarding', before: edit.forward, after: edit.forward },
    ...(t && (t.upper > 0 || t.lower > 0)
      ? [
          {
            host: edit.host,
            target,
            field: 'thresholds',
            before: `${t.upper}/${t.lower}`,
            after: `${t.upper}/${t.lower}`,
          },
        ]
      : []),
  ];
}

/** The same values read from a director's live table; a row that is gone reads `absent`. */
export function weightLiveValues(edit: WeightEdit, live: LiveIpvs): Record<string, string> {
  const svc = live.table.services.find((s) => s.key === edit.service.key);
  const rs = svc?.realServers.find((r) => realServerKey(r) === edit.realServer);
  const th = live.thresholds.get(edit.service.key)?.get(edit.realServer);
  const out: Record<string, string> = {};
  for (const c of weightChanges(edit)) {
    const value =
      c.field === 'weight'
        ? rs?.weight
        : c.field === 'forwarding'
          ? rs?.forward
          : th
            ? `${th.upper}/${th.lower}`
            : undefined;
    out[changeKey(c)] = rs === undefined || value === undefined ? 'absent' : String(value);
  }
  return out;
}

/**
 * The edit one row needs, or none when it already has the weight; a row whose weight moved since the operator saw
 * it is still edited (compare-and-set will abort it) and warned about.
 */
export function weightEdit(
  row: Row,
  change: WeightChange | undefined,
  remembered: number | undefined,
  tables: IpvsTables,
): { readonly edit?: WeightEdit; readonly warning?: string } {
  const realServer = realServerKey(row.rs);
  const label = `${row.host} ${row.service.key} ${realServer}`;
  const after = row.weight ?? (change ? targetWeight(change, row.rs.weight, remembered, label) : undefined);
  if (after === undefined) return {};
  const before = row.seen ?? row.rs.weight;
  const stale = row.seen !== undefined && row.seen !== row.rs.weight;
  if (after === before && !stale) return {};
  const th = tables.get(row.host)!.thresholds.get(row.service.key)?.get(realServer);
  return {
    edit: {
      host: row.host,
      service: serviceRef(row.service),
      realServer,
      address: row.rs.address,
      port: row.rs.port,
      forward: row.rs.forward,
      ...(th ? { thresholds: th } : {}),
      before,
      after,
    },
    ...(stale
      ? {
          warning: `${label}: weight is now ${row.rs.weight}, not ${row.seen} as shown; the action will abort (refresh first)`,
        }
      : {}),
  };
}

/** Remember weights of rows drained (for restore); forget rows that have weight again. */
async function rememberDrains(ctx: Parameters<ActionDriver['read']>[0], plan: WeightPlan, sent: number) {
  const save = new Map<string, number>();
  const forget: string[] = [];
  for (const e of plan.edits.slice(0, sent)) {
    const key = drainKey(plan.cluster, e.host, e.service.key, e);
    if (e.after === 0 && e.before > 0) save.set(key, e.before);
    else if (e.after > 0) forget.push(key);
  }
  await ctx.drained.update(save, forget);
}

/** IPVS tables show an edit at once; two seconds allow for a slow host. */
export const IPVS_SETTLE_MS = 2000;

export function weightDriver(plan: WeightPlan): ActionDriver {
  return {
    read: async (ctx) => {
      const cluster = findCluster(ctx.resolved.config, plan.cluster);
      const tables = await readIpvsTables(ctx, cluster, unique(plan.edits.map((e) => e.host)));
      return Object.assign({}, ...plan.edits.map((e) => weightLiveValues(e, tables.get(e.host)!)));
    },
    settleMs: () => IPVS_SETTLE_MS,
    afterSend: (ctx, sent) => rememberDrains(ctx, plan, sent),
    steps: (ctx) =>
      plan.edits.map((e, i) => ({
        command: plan.preview.commands[i]!,
        changes: weightChanges(e),
        setBack: actionCommand(ctx, e.host, editRealServerArgv(e.service, e, e.before)),
      })),
  };
}
