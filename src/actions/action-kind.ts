import type { z } from 'zod';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import type { Config } from '../config/config-schema.js';
import type { ActionContext } from './action-context.js';
import type { ActionStep } from './transaction.js';

/** What differs between the kinds of action, bound to one plan; the steps around it are run-action.ts. */
export interface ActionDriver {
  /** Read the live values of every change in the plan, keyed like the audit log (changeKey). */
  read(ctx: ActionContext): Promise<Record<string, string>>;
  /** How long the read-back may take to show the expected values. */
  settleMs(ctx: ActionContext): number;
  /** Keep what must outlive the action, for the first `sent` commands that went through. */
  afterSend?(ctx: ActionContext, sent: number): Promise<void>;
  /**
   * For a plan whose commands must land together: per command (in order), the changes it makes and the command that
   * sets them back. The pipeline then checks each step just before sending it and sets the earlier ones back when
   * one cannot go (transaction.ts).
   */
  steps?(ctx: ActionContext): readonly ActionStep[];
}

/** The services a director lists as the console last saw them (what the operator saw, for compare-and-set). */
export type ListedServices = (director: string) => readonly IpvsService[] | undefined;

/**
 * One kind of action, everything about it in one entry: the console's request and its schema (attach messages are
 * checked against it), how that request becomes action requests, the checks that need no host, the plan, and the
 * driver the pipeline reads the live state through. action-kinds.ts lists the entries; nothing else tells kinds apart.
 */
export interface ActionKind<
  Request extends { readonly action: string; readonly cluster: string; readonly director: string },
  Console extends { readonly kind: string },
  Plan extends { readonly kind: string },
> {
  /** The console request's `kind` and the plan's `kind`. */
  readonly kind: Console['kind'] & Plan['kind'];
  /** The request `action`s this kind answers (a weight change and the exact rows its undo names). */
  readonly actions: readonly Request['action'][];
  /** The console's request as an attached console sends it. */
  readonly consoleSchema: z.ZodObject;
  /** The console's request as action requests, with the values the operator saw. */
  fromConsole(request: Console, listed: ListedServices): Request[];
  /** Everything that needs no host (names, values); throws bad-input. */
  validate(config: Config, request: Request): void;
  /** Read the live state, build the preview and the guard; changes nothing. */
  plan(ctx: ActionContext, request: Request): Promise<Plan>;
  driver(plan: Plan): ActionDriver;
  /** What the audit log names as the target of a request that failed before a plan existed. */
  target(request: Request): string;
  /** A request as an audit line holds it, typed again (older lines name services as text). */
  revive?(request: Request): Request;
}
