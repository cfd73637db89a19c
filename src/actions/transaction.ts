import { describeError } from '../transport/transport-error.js';
import type { ActionContext } from './action-context.js';
import type { ActionDriver } from './action-kind.js';
import type { ActionChange, ActionCommand } from './action-types.js';
import { changeKey } from './audit-log.js';
import { differences } from './pipeline-checks.js';

/** One command of a plan that must land whole: what it changes, and the command that sets that back. */
export interface ActionStep {
  readonly command: ActionCommand;
  readonly changes: readonly ActionChange[];
  readonly setBack: ActionCommand;
}

/** What became of one step, for the result and the audit line. */
export interface StepRecord {
  readonly host: string;
  readonly command: string;
  readonly result: 'sent' | 'not sent' | 'set back' | 'set back failed' | 'left as is';
  /** Why, where the result needs one: the value found live, the command's error. */
  readonly detail?: string;
}

export interface StepsOutcome {
  /** Steps sent and not set back: left as they are (changed again since) or whose set-back failed. */
  readonly notSetBack: number;
  readonly records: readonly StepRecord[];
  /** Commands handed to hosts, set-backs included. */
  readonly attempted: number;
  /** Why the run stopped before its last step: `cas` (a step's live value changed) or `error` (a command failed). */
  readonly stopped?: { readonly by: 'cas' | 'error'; readonly step: number; readonly why: string };
}

/** Run one command; the failure line, or undefined when it exited 0. */
async function sendOne(ctx: ActionContext, c: ActionCommand): Promise<string | undefined> {
  try {
    const r = await ctx.transport(c.host).exec(c.argv, { timeoutMs: ctx.commandTimeoutMs });
    if (r.exitCode === 0) return undefined;
    return `\`${c.command}\` exited ${r.exitCode ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
  } catch (err) {
    return describeError(err);
  }
}

/** Live values, or the read's error. */
async function readLive(ctx: ActionContext, driver: ActionDriver): Promise<Record<string, string> | string> {
  try {
    return await driver.read(ctx);
  } catch (err) {
    return `read failed: ${describeError(err)}`;
  }
}

/**
 * Set back the steps already sent, last first, each with compare-and-set: a step whose values are no longer what it
 * set (someone changed them since) is left as it is and said so.
 */
async function setBack(
  ctx: ActionContext,
  driver: ActionDriver,
  steps: readonly ActionStep[],
  done: number,
  records: StepRecord[],
): Promise<number> {
  let attempted = 0;
  for (let i = done - 1; i >= 0; i--) {
    const step = steps[i]!;
    const live = await readLive(ctx, driver);
    const changed = typeof live === 'string' ? [live] : differences(step.changes, live, 'after');
    const base = { host: step.command.host, command: step.command.command };
    if (changed.length > 0) {
      records[i] = { ...base, result: 'left as is', detail: changed.join('; ') };
      continue;
    }
    attempted += 1;
    const failure = await sendOne(ctx, step.setBack);
    records[i] = failure
      ? { ...base, result: 'set back failed', detail: failure }
      : { ...base, result: 'set back', detail: step.setBack.command };
  }
  return attempted;
}

/**
 * Send the steps in order as one change: compare-and-set on each step's own values just before its command, and
 * when a step cannot go (its values changed behind the console, or its command failed) the steps already sent are
 * set back, so no host is left half changed.
 */
export async function runSteps(
  ctx: ActionContext,
  driver: ActionDriver,
  steps: readonly ActionStep[],
): Promise<StepsOutcome> {
  const records: StepRecord[] = steps.map((s) => ({
    host: s.command.host,
    command: s.command.command,
    result: 'not sent',
  }));
  let attempted = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const live = await readLive(ctx, driver);
    const changed = typeof live === 'string' ? [live] : differences(step.changes, live, 'before');
    let stopped: StepsOutcome['stopped'];
    if (changed.length > 0) {
      records[i] = { ...records[i]!, detail: changed.join('; ') };
      stopped = { by: 'cas', step: i, why: changed.join('; ') };
    } else {
      attempted += 1;
      const failure = await sendOne(ctx, step.command);
      if (failure) {
        records[i] = { ...records[i]!, detail: failure };
        stopped = { by: 'error', step: i, why: `${step.command.host}: ${failure}` };
      } else records[i] = { ...records[i]!, result: 'sent' };
    }
    if (stopped) {
      attempted += await setBack(ctx, driver, steps, i, records);
      const notSetBack = records.filter((r) => r.result === 'left as is' || r.result === 'set back failed').length;
      return { notSetBack, records, attempted, stopped };
    }
  }
  return { notSetBack: 0, records, attempted };
}

/** The steps as lines for a message: `step 1 nat-director: set back (ipvsadm -e …)`. */
export function stepLines(records: readonly StepRecord[]): string[] {
  return records.map(
    (r, i) => `step ${i + 1} ${r.host} \`${r.command}\`: ${r.result}${r.detail ? ` (${r.detail})` : ''}`,
  );
}

/** What the hosts hold now of each value the plan changes (values it only checks left out). */
export function holdingLines(changes: readonly ActionChange[], live: Readonly<Record<string, string>>): string[] {
  return changes
    .filter((c) => c.before !== c.after)
    .map((c) => `${changeKey(c)} now ${live[changeKey(c)] ?? 'unknown'}`);
}
