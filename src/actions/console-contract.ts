import type { KindConsoleRequest } from './action-kinds.js';

export type { WeightValue } from './weight-change.js';

/** What the console asks of the action layer, with the typed targets its rows carry: a kind's request, or undo. */
export type ConsoleRequest = KindConsoleRequest | { readonly kind: 'undo' };

/** A plan as the console's dialog shows it. */
export interface ConsolePreview {
  readonly title: string;
  /** Exact commands with their hosts, before → after, expected outcome. */
  readonly lines: readonly string[];
  readonly warnings: readonly string[];
  /** Set for guarded actions: the operator must type this to go ahead. */
  readonly confirmName?: string;
  readonly guardReason?: string;
  /** The config's requireReason: the dialog refuses to confirm until a reason is typed. */
  readonly reasonRequired?: boolean;
}

export type PlanOutcome =
  | { readonly ok: true; readonly preview: ConsolePreview; readonly token: unknown }
  | { readonly ok: false; readonly message: string };

export interface RunOutcome {
  readonly ok: boolean;
  readonly message: string;
}

/** The action layer as the console sees it; the CLI supplies it, so components never touch SSH. */
export interface ActionLayer {
  plan(request: ConsoleRequest): Promise<PlanOutcome>;
  /** Run a plan; `reason` (one line) goes into the audit line. */
  run(token: unknown, confirmation: string | true, reason?: string): Promise<RunOutcome>;
}
