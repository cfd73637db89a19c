import { text } from './console-schema.js';
import type { AuditRecord } from './audit-log.js';

/** The longest reason an action takes: one line in the audit log and the Audit view. */
export const MAX_REASON_CHARS = 200;

/** A reason as an attached console sends it: one line, bounded, no control characters. */
export const reasonSchema = text(MAX_REASON_CHARS);

/**
 * Why a reason (as given, possibly none) does not do for this config, or undefined when it does: required with
 * `requireReason`, one line of at most MAX_REASON_CHARS, no control characters.
 */
export function reasonProblem(requireReason: boolean, reason: string | undefined): string | undefined {
  const given = reason?.trim() ?? '';
  if (given === '') return requireReason ? 'a reason is required (requireReason in the config): give one' : undefined;
  const checked = reasonSchema.safeParse(given);
  if (!checked.success) return `reason: ${checked.error.issues[0]!.message}`;
  return undefined;
}

/** The reason as the audit line keeps it: trimmed, undefined when empty. */
export const cleanReason = (reason: string | undefined): string | undefined => reason?.trim() || undefined;

/** The reason an undo carries when none is given: the original action's, named as such. */
export function undoReason(undoing: Pick<AuditRecord, 'action' | 'target' | 'time' | 'reason'>): string | undefined {
  if (!undoing.reason) return undefined;
  return `undo of ${undoing.action} ${undoing.target} at ${undoing.time}: ${undoing.reason}`;
}
