import { realServerKey } from '../collectors/ipvs-types.js';
import { createActionContext, type ActionContext } from './actions/action-context.js';
import type { ActionPlan, ActionRequest } from './actions/action-types.js';
import { fileAuditLog, type AuditLog } from './actions/audit-log.js';
import type {
  ActionPreview,
  ConsoleActions,
  ConsoleRequest,
  PlanOutcome,
  RunOutcome,
  WeightValue,
} from './actions/console-contract.js';
import { planAction } from './actions/plan-action.js';
import { previewBodyLines } from './actions/preview-text.js';
import type { RealServerTarget } from './actions/row-target.js';
import { runAction } from './actions/run-action.js';
import { planUndoLast } from './actions/undo.js';
import type { WeightChange } from './actions/weight-change.js';
import { auditViewOf } from './audit-view.js';
import type { ResolvedConfig } from './config/load-config.js';
import type { Fleet } from './poller/fleet.js';
import type { LvsStore } from './store/lvs-store.js';
import { describeError } from './transport/transport-error.js';

function changeOf(value: WeightValue): WeightChange {
  if (value === 'drain') return { kind: 'drain' };
  if (value === 'restore') return { kind: 'restore' };
  if (value === '+1' || value === '-1') return { kind: 'step', delta: value === '+1' ? 1 : -1 };
  return { kind: 'set', weight: value };
}

const serviceIn = (store: LvsStore, director: string, service: string) => {
  const r = store.getState().ipvs[director]?.reading;
  return r?.status === 'ok' ? r.table.services.find((s) => s.key === service) : undefined;
};

/** A console request as the action layer's requests, with the values the operator saw (compare-and-set). */
export function requestsOf(store: LvsStore, req: Exclude<ConsoleRequest, { kind: 'undo' }>): ActionRequest[] {
  switch (req.kind) {
    case 'weight':
      return req.targets.map((t: RealServerTarget) => {
        const realServer = realServerKey(t.realServer);
        const seen = serviceIn(store, t.director, t.service)?.realServers.find(
          (x) => x.address === t.realServer.address && x.port === t.realServer.port,
        )?.weight;
        return {
          action: 'weight' as const,
          cluster: req.cluster,
          director: t.director,
          service: t.service,
          realServer,
          change: changeOf(req.value),
          ...(seen === undefined ? {} : { seen: { [`${t.director} ${t.service} ${realServer}`]: seen } }),
        };
      });
    case 'scheduler': {
      const { director, service } = req.target;
      const seen = serviceIn(store, director, service)?.scheduler;
      return [
        {
          action: 'scheduler',
          cluster: req.cluster,
          director,
          service,
          scheduler: req.scheduler,
          ...(seen ? { seen } : {}),
        },
      ];
    }
    case 'failover':
      return [{ action: 'failover', cluster: req.cluster, ...pick(req.target), to: req.to }];
    case 'release':
      return [{ action: 'release', cluster: req.cluster, ...pick(req.target) }];
  }
}

const pick = (t: { director: string; instance: string }) => ({ director: t.director, instance: t.instance });

function previewOf(plans: readonly ActionPlan[]): ActionPreview {
  const guarded = plans.find((p) => p.guard);
  return {
    title: plans.length === 1 ? plans[0]!.preview.title : `${plans.length} actions`,
    lines: plans.flatMap((p) => [...(plans.length === 1 ? [] : [p.preview.title]), ...previewBodyLines(p)]),
    warnings: [...new Set(plans.flatMap((p) => p.preview.warnings))],
    ...(guarded?.guard ? { confirmName: guarded.guard.confirmName, guardReason: guarded.guard.reason } : {}),
  };
}

/** The audit log, and each record shown in the Audit view as it is appended (no re-reading the file). */
function auditShownIn(store: LvsStore, log: AuditLog): AuditLog {
  return {
    ...log,
    async append(record) {
      await log.append(record);
      const view = auditViewOf(JSON.stringify(record));
      if (view) store.getState().addAudit([view]);
    },
  };
}

/**
 * The console's side of the action layer: turns the rows' targets into action requests, plans them over the
 * console's own connections, and runs them through the one pipeline. Every outcome lands in the audit log and the
 * Audit view, and the poller is told to look again.
 */
export function consoleActions(
  resolved: ResolvedConfig,
  fleet: Fleet,
  readOnly: boolean,
  /** Who the audit log names; this machine's user when not given (serve names each attached operator). */
  operator?: string,
): ConsoleActions {
  const ctx: ActionContext = createActionContext(resolved, {
    ...(operator ? { operator } : {}),
    transport: (host) => {
      const t = fleet.transports.get(host);
      if (!t) throw new Error(`unknown host ${host}`);
      return t;
    },
    readOnly,
    audit: auditShownIn(fleet.store, fileAuditLog(resolved.auditLog)),
  });

  return {
    async plan(req): Promise<PlanOutcome> {
      try {
        const plans =
          req.kind === 'undo'
            ? [(await planUndoLast(ctx)).plan]
            : await Promise.all(requestsOf(fleet.store, req).map((r) => planAction(ctx, r)));
        if (plans.length === 0) return { ok: false, message: 'nothing to do' };
        return { ok: true, preview: previewOf(plans), token: plans };
      } catch (err) {
        return { ok: false, message: describeError(err) };
      }
    },
    async run(token, confirmation): Promise<RunOutcome> {
      const plans = token as ActionPlan[];
      const messages: string[] = [];
      let ok = true;
      for (const plan of plans) {
        const result = await runAction(ctx, plan, { confirmation });
        ok &&= result.outcome === 'ok';
        messages.push(`${result.outcome}: ${result.message}`);
        if (result.outcome !== 'ok') break;
      }
      void fleet.refreshAll();
      return { ok, message: messages.join(' · ') };
    },
  };
}
