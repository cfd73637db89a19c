import type { Config } from '../config/config-schema.js';
import type { ActionContext } from './action-context.js';
import { ActionError, badInput } from './action-error.js';
import type { ActionDriver, ActionKind, ListedServices } from './action-kind.js';
import { failedRequestRecord } from './audit-log.js';
import { failoverKind } from './kinds/failover.js';
import { releaseKind } from './kinds/release.js';
import { schedulerKind } from './kinds/scheduler.js';
import { weightKind } from './kinds/weight.js';

/**
 * Every kind of action, one entry each (action-kind.ts says what an entry holds). Adding a kind is one module in
 * kinds/ and one line here; the lookups below are the only place a request, a plan or a console request is told
 * apart by its kind.
 */
export const ACTION_KINDS = [weightKind, schedulerKind, failoverKind, releaseKind] as const;

type Entry = (typeof ACTION_KINDS)[number];
/* eslint-disable @typescript-eslint/no-explicit-any -- the table's own types, read off its entries */
type RequestOf<E> = E extends ActionKind<infer R, any, any> ? R : never;
type ConsoleOf<E> = E extends ActionKind<any, infer C, any> ? C : never;
type PlanOf<E> = E extends ActionKind<any, any, infer P> ? P : never;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A request as a headless command or the console makes it; also what the audit log keeps to undo an action. */
export type ActionRequest = RequestOf<Entry>;
/** A console request of some kind (console-contract.ts adds undo). */
export type KindConsoleRequest = ConsoleOf<Entry>;
export type ActionPlan = PlanOf<Entry>;

/** An entry seen through what every kind shares. */
type AnyKind = ActionKind<ActionRequest, KindConsoleRequest, ActionPlan>;
const entries = ACTION_KINDS as readonly unknown[] as readonly AnyKind[];
const byAction = new Map(entries.flatMap((k) => k.actions.map((a) => [a, k] as const)));
const byKind = new Map(entries.map((k) => [k.kind as string, k]));

function kindOf(request: ActionRequest): AnyKind {
  const kind = byAction.get(request.action);
  if (!kind) throw badInput(`unknown action "${String(request.action)}"`);
  return kind;
}

/** The checks that need no host; throws bad-input. */
export const validateRequest = (config: Config, request: ActionRequest): void =>
  kindOf(request).validate(config, request);

export const driverFor = (plan: ActionPlan): ActionDriver => byKind.get(plan.kind)!.driver(plan);

/** The console's request as action requests, with the values the operator saw. */
export const consoleRequests = (request: KindConsoleRequest, listed: ListedServices): ActionRequest[] =>
  byKind.get(request.kind)!.fromConsole(request, listed);

/** The schemas attach messages are checked against, one per kind. */
export const consoleSchemas = () => entries.map((k) => k.consoleSchema);

/** A request read back from an audit line, typed again where an older line holds text. */
export const reviveRequest = (request: ActionRequest): ActionRequest => kindOf(request).revive?.(request) ?? request;

/**
 * Plan any action: check the request, read the live state, build the preview, decide the guard. Changes nothing.
 * A failure after a host was contacted (unknown real server, host dropped) is written to the audit log before it is
 * thrown.
 */
export async function planAction(ctx: ActionContext, request: ActionRequest): Promise<ActionPlan> {
  const kind = kindOf(request);
  kind.validate(ctx.resolved.config, request);
  const started = ctx.now();
  let reachedHost = false;
  const tracked: ActionContext = {
    ...ctx,
    transport: (host) => {
      reachedHost = true;
      return ctx.transport(host);
    },
  };
  try {
    return await kind.plan(tracked, request);
  } catch (err) {
    const quiet = err instanceof ActionError && err.kind === 'nothing-to-do';
    if (reachedHost && !quiet)
      await ctx.audit.append(
        failedRequestRecord({
          request,
          kind: kind.kind,
          target: kind.target(request),
          at: started,
          operator: ctx.operator,
          result: err instanceof ActionError && err.kind === 'refused' ? 'refused-guard' : 'error',
          message: err instanceof Error ? err.message : String(err),
          durationMs: ctx.now() - started,
        }),
      );
    throw err;
  }
}
