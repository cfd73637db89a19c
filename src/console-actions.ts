import { createActionContext, type ActionContext } from './actions/action-context.js';
import type { ActionPlan } from './actions/action-types.js';
import { fileAuditLog, type AuditLog } from './actions/audit-log.js';
import type { ListedServices } from './actions/action-kind.js';
import { consoleRequests, planAction } from './actions/action-kinds.js';
import type { ActionLayer, ConsolePreview, PlanOutcome, RunOutcome } from './actions/console-contract.js';
import { previewBodyLines } from './actions/preview-text.js';
import { runAction } from './actions/run-action.js';
import { planUndoLast } from './actions/undo.js';
import { auditViewOf } from './audit-view.js';
import { floorRows } from './model/healthy-floor.js';
import { directorHealth } from './model/rs-health.js';
import type { ResolvedConfig } from './config/load-config.js';
import type { Fleet } from './poller/fleet.js';
import type { LvsStore } from './store/lvs-store.js';
import { describeError } from './transport/transport-error.js';

/** The services a director lists in the store: what the operator saw. */
const listedIn =
  (store: LvsStore): ListedServices =>
  (director) => {
    const r = store.getState().ipvs[director]?.reading;
    return r?.status === 'ok' ? r.table.services : undefined;
  };

function previewOf(plans: readonly ActionPlan[], reasonRequired: boolean): ConsolePreview {
  const guarded = plans.find((p) => p.guard);
  return {
    title: plans.length === 1 ? plans[0]!.preview.title : `${plans.length} actions`,
    lines: plans.flatMap((p) => [...(plans.length === 1 ? [] : [p.preview.title]), ...previewBodyLines(p)]),
    warnings: [...new Set(plans.flatMap((p) => p.preview.warnings))],
    ...(guarded?.guard ? { confirmName: guarded.guard.confirmName, guardReason: guarded.guard.reason } : {}),
    // An undo that carries the original reason needs no new one.
    ...(reasonRequired && !plans.every((p) => p.reason) ? { reasonRequired: true } : {}),
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
): ActionLayer {
  const ctx: ActionContext = createActionContext(resolved, {
    ...(operator ? { operator } : {}),
    transport: (host) => {
      const t = fleet.transports.get(host);
      if (!t) throw new Error(`unknown host ${host}`);
      return t;
    },
    readOnly,
    audit: auditShownIn(fleet.store, fileAuditLog(resolved.auditLog)),
    // The probe and checker verdicts the console already holds.
    floorRows: (director, service) =>
      floorRows(directorHealth(fleet.store.getState(), director, Date.now()), service.key),
  });

  return {
    async plan(req): Promise<PlanOutcome> {
      try {
        const plans =
          req.kind === 'undo'
            ? [(await planUndoLast(ctx)).plan]
            : await Promise.all(consoleRequests(req, listedIn(fleet.store)).map((r) => planAction(ctx, r)));
        if (plans.length === 0) return { ok: false, message: 'nothing to do' };
        return { ok: true, preview: previewOf(plans, resolved.config.requireReason), token: plans };
      } catch (err) {
        return { ok: false, message: describeError(err) };
      }
    },
    async run(token, confirmation, reason): Promise<RunOutcome> {
      const plans = token as ActionPlan[];
      const messages: string[] = [];
      let ok = true;
      for (const plan of plans) {
        const result = await runAction(ctx, plan, { confirmation, ...(reason ? { reason } : {}) });
        ok &&= result.outcome === 'ok';
        messages.push(`${result.outcome}: ${result.message}`);
        if (result.outcome !== 'ok') break;
      }
      void fleet.refreshAll();
      return { ok, message: messages.join(' · ') };
    },
  };
}
