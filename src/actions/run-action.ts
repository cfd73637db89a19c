import { describeError } from '../transport/transport-error.js';
import type { ActionContext } from './action-context.js';
import type { ActionDriver } from './action-kind.js';
import { driverFor } from './action-kinds.js';
import type { ActionOutcome, ActionPlan, ActionResult } from './action-types.js';
import { appendOrReport, auditRecord } from './audit-log.js';
import { exitCodeOfOutcome } from './exit-codes.js';
import { cleanReason, reasonProblem } from './reason.js';
import { confirmationProblem, differences, type Confirmation } from './pipeline-checks.js';
import { holdingLines, runSteps, stepLines, type ActionStep, type StepRecord } from './transaction.js';

const POLL_MS = 500;

export interface RunOptions {
  readonly confirmation: Confirmation;
  /** Why: one line for the audit log (required with the config's requireReason). */
  readonly reason?: string;
  /** The guard was passed by --force: the audit line says so. */
  readonly forced?: boolean;
}

interface Finish {
  readonly after?: Record<string, string>;
  readonly mismatches?: string[];
  readonly verifyMs?: number;
}

/** One run of a plan: what was attempted so far, and how it ends (audited, with the exit code). */
interface Run {
  readonly ctx: ActionContext;
  readonly plan: ActionPlan;
  readonly driver: ActionDriver;
  readonly started: number;
  /** The reason the audit line carries, and whether a guard was forced. */
  readonly reason?: string;
  readonly forced?: boolean;
  attempted: number;
  stateProblem?: string;
  /** A plan run as steps: what became of each. */
  steps?: readonly StepRecord[];
}

async function finish(run: Run, outcome: ActionOutcome, reported: string, extra: Finish = {}): Promise<ActionResult> {
  const { ctx, plan } = run;
  let message = reported;
  const durationMs = ctx.now() - run.started;
  const after = extra.after ?? {};
  const auditProblem = await appendOrReport(
    ctx.audit,
    auditRecord({
      plan,
      at: run.started,
      operator: ctx.operator,
      result: outcome,
      message,
      after,
      durationMs,
      sent: run.attempted,
      ...(run.reason ? { reason: run.reason } : {}),
      ...(run.forced ? { forced: true } : {}),
      ...(run.steps ? { steps: run.steps } : {}),
    }),
  );
  // A write that failed after the commands went out must not hide that they went out.
  const unrecorded = [run.stateProblem, auditProblem].filter((p) => p !== undefined);
  if (unrecorded.length > 0)
    message += `; ${run.attempted > 0 ? 'sent but not recorded' : 'not recorded'}: ${unrecorded.join('; ')}`;
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
}

/** Send the plan's commands in order, stopping at the first that fails; returns how many went through. */
async function send(run: Run): Promise<{ sent: number; failure?: string }> {
  const { ctx, plan } = run;
  let sent = 0;
  for (const c of plan.preview.commands) {
    try {
      run.attempted += 1;
      const r = await ctx.transport(c.host).exec(c.argv, { timeoutMs: ctx.commandTimeoutMs });
      if (r.exitCode !== 0)
        return {
          sent,
          failure: `${c.host}: \`${c.command}\` exited ${r.exitCode ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}`,
        };
      sent += 1;
    } catch (err) {
      return { sent, failure: `${c.host}: ${describeError(err)}` };
    }
  }
  return { sent };
}

/** Read the state back until it is what the preview promised, or the deadline passes. */
async function readBack(run: Run, deadline: number) {
  const { ctx, plan, driver } = run;
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
  return { after, mismatches, readError };
}

/** Keep what must outlive the commands sent, read back, and say how it went. */
async function execute(run: Run, { sent, failure }: { sent: number; failure?: string }): Promise<ActionResult> {
  const { ctx, plan, driver } = run;
  if (sent > 0)
    await driver.afterSend?.(ctx, sent).catch((err: unknown) => {
      run.stateProblem = `state file: ${err instanceof Error ? err.message : String(err)}`;
    });
  const sentAt = ctx.now();
  const { after, mismatches, readError } = await readBack(run, sentAt + (failure ? 0 : driver.settleMs(ctx)));
  const verifyMs = ctx.now() - sentAt;
  const partial = `${sent} of ${plan.preview.commands.length} command(s) went through`;
  if (failure) return finish(run, 'error', `${failure}; ${partial}`, { after, mismatches, verifyMs });
  if (readError)
    return finish(run, 'verify-failed', `sent, but the read-back failed: ${readError}`, { after, verifyMs });
  if (mismatches.length > 0)
    return finish(
      run,
      'verify-failed',
      `sent, but the read-back after ${verifyMs} ms differs:\n  ${mismatches.join('\n  ')}`,
      { after, mismatches, verifyMs },
    );
  return finish(run, 'ok', `done and verified in ${verifyMs} ms: ${plan.preview.title}`, { after, verifyMs });
}

/**
 * A plan of several steps as one change (transaction.ts): each step checked just before it is sent; when one cannot
 * go, the earlier ones are set back and the result says, step by step, what was done and what each host holds now.
 */
async function transaction(run: Run, steps: readonly ActionStep[]): Promise<ActionResult> {
  const { ctx, plan, driver } = run;
  const r = await runSteps(ctx, driver, steps);
  run.attempted += r.attempted;
  run.steps = r.records;
  if (!r.stopped) return execute(run, { sent: steps.length });
  let after: Record<string, string> = {};
  let holding: string[];
  try {
    after = await driver.read(ctx);
    holding = holdingLines(plan.preview.changes, after);
  } catch (err) {
    holding = [`the state could not be read after: ${describeError(err)}`];
  }
  const at = `step ${r.stopped.step + 1} of ${steps.length}`;
  const head =
    r.stopped.by === 'cas' ? `the live state changed before ${at}: ${r.stopped.why}` : `${at} failed: ${r.stopped.why}`;
  const done =
    r.stopped.step === 0
      ? 'nothing was sent'
      : r.notSetBack === 0
        ? 'the steps before it were set back'
        : 'NOT every step before it could be set back';
  return finish(
    run,
    r.stopped.by === 'cas' ? 'aborted-cas' : 'error',
    `${head}; ${done}:\n  ${[...stepLines(r.records), ...holding].join('\n  ')}`,
    {
      after,
      mismatches: [r.stopped.why],
    },
  );
}

/**
 * The one pipeline every action goes through: refuse in read-only mode, check the confirmation, compare-and-set
 * against what the operator saw, send the commands, read the state back until it matches (or time runs out), and
 * append the outcome to the audit log.
 */
export async function runAction(ctx: ActionContext, plan: ActionPlan, options: RunOptions): Promise<ActionResult> {
  const reason = cleanReason(options.reason) ?? plan.reason;
  const run: Run = {
    ctx,
    plan,
    driver: driverFor(plan),
    started: ctx.now(),
    attempted: 0,
    ...(reason ? { reason } : {}),
    ...(options.forced && plan.guard ? { forced: true } : {}),
  };
  // The one read-only check: nothing below it runs, so nothing is ever sent.
  if (ctx.readOnly)
    return finish(run, 'refused-read-only', 'read-only mode: every mutating action is refused; nothing was sent');
  const noReason = reasonProblem(ctx.resolved.config.requireReason, reason);
  if (noReason) return finish(run, 'refused-guard', `refused: ${noReason}; nothing was sent`);
  const refusal = confirmationProblem(plan, options.confirmation);
  if (refusal) return finish(run, 'refused-guard', `${refusal}; nothing was sent`);
  let live: Record<string, string>;
  try {
    live = await run.driver.read(ctx);
  } catch (err) {
    return finish(run, 'error', `compare-and-set read failed, nothing was sent: ${describeError(err)}`);
  }
  const changed = differences(plan.preview.changes, live, 'before');
  if (changed.length > 0)
    return finish(
      run,
      'aborted-cas',
      `the live state changed since the preview; nothing was sent:\n  ${changed.join('\n  ')}`,
      { after: live, mismatches: changed },
    );
  // Several commands as one change: each step is checked again just before it is sent (what changed after this
  // read), and a step that cannot go sets back the ones before it.
  const steps = run.driver.steps?.(ctx);
  if (steps && steps.length > 1) return transaction(run, steps);
  return execute(run, await send(run));
}
