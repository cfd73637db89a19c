import type { ActionContext } from './action-context.js';
import { ActionError } from './action-error.js';
import type { ActionPlan, ActionResult } from './action-types.js';
import type { AuditRecord } from './audit-log.js';
import { planAction, reviveRequest } from './action-kinds.js';
import { undoReason } from './reason.js';
import { runAction, type RunOptions } from './run-action.js';

/** The newest audit record whose commands were sent (refusals and aborts changed nothing, so they do not count). */
export function lastSentAction(records: readonly AuditRecord[]): AuditRecord | undefined {
  for (let i = records.length - 1; i >= 0; i--) if ((records[i]!.sent ?? 0) > 0) return records[i];
  return undefined;
}

/** Plan the reverse of the last action in the audit log; it then goes through runAction like any other. */
export async function planUndoLast(ctx: ActionContext): Promise<{ plan: ActionPlan; undoing: AuditRecord }> {
  const undoing = lastSentAction(await ctx.audit.records());
  if (!undoing) throw new ActionError('nothing-to-do', 'nothing to undo: the audit log holds no action that was sent');
  if (!undoing.undo)
    throw new ActionError(
      'nothing-to-do',
      `the last action (${undoing.action} ${undoing.target} at ${undoing.time}) cannot be undone: a release returns to the configured priorities; force a state again with failover`,
    );
  const plan = await planAction(ctx, reviveRequest(undoing.undo));
  const reason = undoReason(undoing);
  return {
    plan: {
      ...plan,
      ...(reason ? { reason } : {}),
      preview: {
        ...plan.preview,
        title: `undo ${undoing.action} of ${undoing.time} (${undoing.operator}): ${plan.preview.title}`,
      },
    },
    undoing,
  };
}

export async function undoLast(ctx: ActionContext, options: RunOptions): Promise<ActionResult> {
  const { plan } = await planUndoLast(ctx);
  return runAction(ctx, plan, options);
}
