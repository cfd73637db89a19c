import type { ActionChange, ActionPlan } from './action-types.js';
import { changeKey } from './audit-log.js';

/** The operator's answer: `true` (or `y`) for an ordinary action, the typed target name for a guarded one. */
export type Confirmation = string | true;

/** Why the confirmation does not allow the plan to run, or undefined when it does. */
export function confirmationProblem(plan: Pick<ActionPlan, 'guard'>, confirmation: Confirmation): string | undefined {
  if (plan.guard) {
    if (typeof confirmation === 'string' && confirmation.trim() === plan.guard.confirmName) return undefined;
    return `refused: ${plan.guard.reason}. Type "${plan.guard.confirmName}" to go ahead anyway`;
  }
  if (confirmation === true || /^y(es)?$/i.test(confirmation.trim())) return undefined;
  return 'not confirmed';
}

/**
 * Compare live values with what the plan expects: `before` for compare-and-set (what the operator saw), `after`
 * for the read-back. Returns one line per difference.
 */
export function differences(
  changes: readonly ActionChange[],
  live: Readonly<Record<string, string>>,
  expected: 'before' | 'after',
): string[] {
  const out: string[] = [];
  for (const c of changes) {
    const key = changeKey(c);
    const now = live[key] ?? 'unknown';
    if (now !== c[expected])
      out.push(`${key}: expected ${c[expected]}${expected === 'before' ? ' (as previewed)' : ''}, live ${now}`);
  }
  return out;
}
