import type { RealServerTarget, ServiceTarget, VrrpTarget } from './row-target.js';

/** A weight as the console asks for it: exact, one step, drain to 0, or back to the weight before the drain. */
export type WeightValue = number | '+1' | '-1' | 'drain' | 'restore';

/** What the console asks of the action layer, with the typed targets its rows carry. */
export type ConsoleRequest =
  | {
      readonly kind: 'weight';
      readonly cluster: string;
      readonly targets: readonly RealServerTarget[];
      readonly value: WeightValue;
    }
  | { readonly kind: 'scheduler'; readonly cluster: string; readonly target: ServiceTarget; readonly scheduler: string }
  | {
      readonly kind: 'failover';
      readonly cluster: string;
      readonly target: VrrpTarget;
      readonly to: 'MASTER' | 'BACKUP';
    }
  | { readonly kind: 'release'; readonly cluster: string; readonly target: VrrpTarget }
  | { readonly kind: 'undo' };

export interface ActionPreview {
  readonly title: string;
  /** Exact commands with their hosts, before → after, expected outcome. */
  readonly lines: readonly string[];
  readonly warnings: readonly string[];
  /** Set for guarded actions: the operator must type this to go ahead. */
  readonly confirmName?: string;
  readonly guardReason?: string;
}

export type PlanOutcome =
  | { readonly ok: true; readonly preview: ActionPreview; readonly token: unknown }
  | { readonly ok: false; readonly message: string };

export interface RunOutcome {
  readonly ok: boolean;
  readonly message: string;
}

/** The action layer as the console sees it; the CLI supplies it, so components never touch SSH. */
export interface ConsoleActions {
  plan(request: ConsoleRequest): Promise<PlanOutcome>;
  run(token: unknown, confirmation: string | true): Promise<RunOutcome>;
}
