import { AUDIT_TAIL_BYTES, readFileTail } from './actions/audit-log.js';
import type { AuditView } from './store/store-types.js';

/** The reason column: the operator's reason, with `forced` first when a guard was forced. */
function reasonOf(r: Record<string, unknown>): { reason?: string } {
  const reason = typeof r.reason === 'string' ? r.reason : '';
  const text = r.forced === true ? `forced${reason ? `: ${reason}` : ''}` : reason;
  return text ? { reason: text } : {};
}

/** An audit JSONL line as the Audit view shows it; lines that are not audit records are skipped. */
export function auditViewOf(line: string): AuditView | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  // `null`, a number, an array: valid JSON, not a record.
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const r = parsed as Record<string, unknown>;
  const at = typeof r.time === 'string' ? Date.parse(r.time) : NaN;
  if (Number.isNaN(at)) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  return {
    at,
    operator: str(r.operator),
    action: str(r.action),
    target: [r.cluster, r.host, r.target].filter((x) => typeof x === 'string' && x !== '').join('/'),
    result: str(r.result),
    message: str(r.message),
    ...reasonOf(r),
  };
}

/** The newest audit records for the Audit view, read from the end of the log only (its size does not matter). */
export async function loadAuditTail(file: string, max = 200): Promise<AuditView[]> {
  let text: string;
  try {
    text = await readFileTail(file, AUDIT_TAIL_BYTES);
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map(auditViewOf)
    .filter((a): a is AuditView => a !== undefined)
    .slice(-max);
}
