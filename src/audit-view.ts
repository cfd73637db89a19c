import { readFile } from 'node:fs/promises';
import type { AuditView } from './store/store-types.js';

/** An audit JSONL line as the Audit view shows it; lines that are not audit records are skipped. */
export function auditViewOf(line: string): AuditView | undefined {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
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
  };
}

export async function loadAuditTail(file: string, max = 200): Promise<AuditView[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(-max - 1)
    .map(auditViewOf)
    .filter((a): a is AuditView => a !== undefined);
}
