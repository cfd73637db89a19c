import type {
  ActionPreview,
  ActionRequest as UiRequest,
  ConsoleActions,
  PlanOutcome,
  RunOutcome,
} from '../components/console-actions.js';
import { realServerKey } from '../collectors/ipvs-types.js';
import { createActionContext, type ActionContext } from './actions/action-context.js';
import type { ActionPlan, ActionRequest } from './actions/action-types.js';
import { planAction } from './actions/plan-action.js';
import { previewLines } from './actions/preview-text.js';
import { runAction } from './actions/run-action.js';
import { planUndoLast } from './actions/undo.js';
import type { WeightChange } from './actions/weight-change.js';
import { auditViewOf } from './audit-view.js';
import type { ResolvedConfig } from './config/load-config.js';
import type { Fleet } from './poller/fleet.js';
import { describeError } from './transport/transport-error.js';

function changeOf(value: number | '+1' | '-1' | 'drain' | 'restore'): WeightChange {
  if (value === 'drain') return { kind: 'drain' };
  if (value === 'restore') return { kind: 'restore' };
  if (value === '+1' || value === '-1') return { kind: 'step', delta: value === '+1' ? 1 : -1 };
  return { kind: 'set', weight: value };
}

/**
 * The console's side of the action layer: turns what the operator selected into action requests (with the values
 * the operator saw, for compare-and-set), plans them over the console's own connections, and runs them through the
 * one pipeline. Every outcome lands in the audit log and the Audit view, and the poller is told to look again.
 */
export function consoleActions(resolved: ResolvedConfig, fleet: Fleet, readOnly: boolean): ConsoleActions {
  const ctx: ActionContext = createActionContext(resolved, {
    transport: (host) => {
      const t = fleet.transports.get(host);
      if (!t) throw new Error(`unknown host ${host}`);
      return t;
    },
    readOnly,
  });

  const seenWeight = (director: string, serviceKey: string, rsKey: string): number | undefined => {
    const r = fleet.store.getState().ipvs[director]?.reading;
    if (r?.status !== 'ok') return undefined;
    return r.table.services.find((s) => s.key === serviceKey)?.realServers.find((x) => realServerKey(x) === rsKey)
      ?.weight;
  };

  const requestsOf = (req: UiRequest): ActionRequest[] => {
    switch (req.kind) {
      case 'weight':
        return req.targets.map((id) => {
          const [director = '', service = '', realServer = ''] = id.split('|');
          const seen = seenWeight(director, service, realServer);
          return {
            action: 'weight' as const,
            cluster: req.cluster,
            director,
            service,
            realServer,
            change: changeOf(req.value),
            ...(seen === undefined ? {} : { seen: { [`${director} ${service} ${realServer}`]: seen } }),
          };
        });
      case 'scheduler': {
        const [director = '', service = ''] = req.target.split('|');
        const r = fleet.store.getState().ipvs[director]?.reading;
        const seen = r?.status === 'ok' ? r.table.services.find((s) => s.key === service)?.scheduler : undefined;
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
        return [
          { action: 'failover', cluster: req.cluster, director: req.director, instance: req.instance, to: req.to },
        ];
      case 'release':
        return [{ action: 'release', cluster: req.cluster, director: req.director, instance: req.instance }];
      case 'undo':
        return [];
    }
  };

  const previewOf = (plans: readonly ActionPlan[]): ActionPreview => {
    const guarded = plans.find((p) => p.guard);
    return {
      title: plans.length === 1 ? plans[0]!.preview.title : `${plans.length} actions`,
      lines: plans.flatMap((p) =>
        previewLines(p)
          .slice(plans.length === 1 ? 1 : 0)
          .filter((l) => !/^\s+(!|GUARDED|type ")/.test(l)),
      ),
      warnings: [...new Set(plans.flatMap((p) => p.preview.warnings))],
      ...(guarded?.guard ? { confirmName: guarded.guard.confirmName, guardReason: guarded.guard.reason } : {}),
    };
  };

  return {
    async plan(req): Promise<PlanOutcome> {
      try {
        const plans =
          req.kind === 'undo'
            ? [(await planUndoLast(ctx)).plan]
            : await Promise.all(requestsOf(req).map((r) => planAction(ctx, r)));
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
      const records = await ctx.audit.records().catch(() => []);
      const views = records.slice(-plans.length).flatMap((r) => {
        const v = auditViewOf(JSON.stringify(r));
        return v ? [v] : [];
      });
      fleet.store.getState().addAudit(views);
      void fleet.refreshAll();
      return { ok, message: messages.join(' · ') };
    },
  };
}
