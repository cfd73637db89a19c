import { describeError } from '../transport/transport-error.js';
import type { ActionContext } from './action-context.js';
import { driverFor } from './action-drivers.js';
import type { ActionOutcome, ActionPlan, ActionResult } from './action-types.js';
import { appendOrReport, auditRecord } from './audit-log.js';
import { exitCodeOfOutcome } from './exit-codes.js';
import { confirmationProblem, differences, type Confirmation } from './pipeline-checks.js';

const POLL_MS = 500;

export interface RunOptions {
  readonly confirmation: Confirmation;
}

/**
 * The one pipeline every action goes through: refuse in read-only mode, check the confirmation, compare-and-set
 * against what the operator saw, send the commands, read the state back until it matches (or time runs out), and
 * append the outcome to the audit log.
 */
export async function runAction(ctx: ActionContext, plan: ActionPlan, options: RunOptions): Promise<ActionResult> {
  const started = ctx.now();
  const driver = driverFor(plan);
  let attempted = 0;
  let stateProblem: string | undefined;
  const finish = async (
    outcome: ActionOutcome,
    reported: string,
    extra: { after?: Record<string, string>; mismatches?: string[]; verifyMs?: number } = {},
  ): Promise<ActionResult> => {
    let message = reported;
    const durationMs = ctx.now() - started;
    const after = extra.after ?? {};
    const auditProblem = await appendOrReport(
      ctx.audit,
      auditRecord({
        plan,
        at: started,
        operator: ctx.operator,
        result: outcome,
        message,
        after,
        durationMs,
        sent: attempted,
      }),
    );
    // A write that failed after the commands went out must not hide that they went out.
    const unrecorded = [stateProblem, auditProblem].filter((p) => p !== undefined);
    if (unrecorded.length > 0)
      message += `; ${attempted > 0 ? 'sent but not recorded' : 'not recorded'}: ${unrecorded.join('; ')}`;
    return {
      outcome,
      message,
      plan,
      after,
      mismatches: extra.mismatches ?? [],
      durationMs,
      ...(extra.verifyMs === undefined ? {} : { verifyMs: extra.verifyMs }),
      exitCode: exitCodeOfOutcome(outcome),
    };
  };

  // The one read-only check: nothing below it runs, so nothing is ever sent.
  if (ctx.readOnly)
    return finish('refused-read-only', 'read-only mode: every mutating action is refused; nothing was sent');
  const refusal = confirmationProblem(plan, options.confirmation);
  if (refusal) return finish('refused-guard', `${refusal}; nothing was sent`);

  let live: Record<string, string>;
  try {
    live = await driver.read(ctx);
  } catch (err) {
    return finish('error', `compare-and-set read failed, nothing was sent: ${describeError(err)}`);
  }
  const changed = differences(plan.preview.changes, live, 'before');
  if (changed.length > 0)
    return finish(
      'aborted-cas',
      `the live state changed since the preview; nothing was sent:\n  ${changed.join('\n  ')}`,
      {
        after: live,
        mismatches: changed,
      },
    );

  let sent = 0;
  let failure: string | undefined;
  for (const c of plan.preview.commands) {
    try {
      attempted += 1;
      const r = await ctx.transport(c.host).exec(c.argv, { timeoutMs: ctx.commandTimeoutMs });
      if (r.exitCode !== 0) {
        failure = `${c.host}: \`${c.command}\` exited ${r.exitCode ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
        break;
      }
      sent += 1;
    } catch (err) {
      failure = `${c.host}: ${describeError(err)}`;
      break;
    }
  }
  if (sent > 0)
    await driver.afterSend?.(ctx, sent).catch((err: unknown) => {
      stateProblem = `state file: ${err instanceof Error ? err.message : String(err)}`;
    });

  const sentAt = ctx.now();
  const deadline = sentAt + (failure ? 0 : driver.settleMs(ctx));
  let after: Record<string, string> = {};
  let mismatches: string[] = [];
  let readError: string | undefined;
  for (;;) {
    try {
      after = await driver.read(ctx);
      readError = undefined;
      mismatches = differences(plan.preview.changes, after, 'after');
    } catch (err) {
      readError = describeError(err);
    }
    if ((!readError && mismatches.length === 0) || ctx.now() >= deadline) break;
    await ctx.sleep(POLL_MS);
  }
  const verifyMs = ctx.now() - sentAt;
  const partial = `${sent} of ${plan.preview.commands.length} command(s) went through`;
  if (failure) return finish('error', `${failure}; ${partial}`, { after, mismatches, verifyMs });
  if (readError) return finish('verify-failed', `sent, but the read-back failed: ${readError}`, { after, verifyMs });
  if (mismatches.length > 0)
    return finish(
      'verify-failed',
      `sent, but the read-back after ${verifyMs} ms differs:\n  ${mismatches.join('\n  ')}`,
      {
        after,
        mismatches,
        verifyMs,
      },
    );
  return finish('ok', `done and verified in ${verifyMs} ms: ${plan.preview.title}`, { after, verifyMs });
}
