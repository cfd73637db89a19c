/** What the console asks of the action layer; the CLI supplies it, so components never touch SSH. */
export type ActionRequest =
  | {
      readonly kind: 'weight';
      readonly cluster: string;
      /** Each target: `director|serviceKey|realServerKey` (a Services row id). */
      readonly targets: readonly string[];
      readonly value: number | '+1' | '-1' | 'drain' | 'restore';
    }
  | { readonly kind: 'scheduler'; readonly cluster: string; readonly target: string; readonly scheduler: string }
  | {
      readonly kind: 'failover';
      readonly cluster: string;
      readonly director: string;
      readonly instance: string;
      readonly to: 'MASTER' | 'BACKUP';
    }
  | { readonly kind: 'release'; readonly cluster: string; readonly director: string; readonly instance: string }
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

export interface ConsoleActions {
  plan(request: ActionRequest): Promise<PlanOutcome>;
  run(token: unknown, confirmation: string | true): Promise<RunOutcome>;
}
