import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { ActionChange, ActionOutcome, ActionPlan, ActionRequest } from './action-types.js';

/** One line of the audit log (JSONL). The Audit view reads time, operator, action, cluster, host, target, result. */
export interface AuditRecord {
  readonly time: string;
  readonly operator: string;
  readonly action: string;
  readonly cluster: string;
  /** The director acted on. */
  readonly host: string;
  readonly target: string;
  /** hosts[i] received argv[i], sent as command[i]. */
  readonly hosts: readonly string[];
  readonly argv: readonly (readonly string[])[];
  readonly command: readonly string[];
  /** Values before (as planned) and after (as read back), keyed `HOST TARGET FIELD`. */
  readonly before: Readonly<Record<string, string>>;
  readonly after: Readonly<Record<string, string>>;
  readonly result: ActionOutcome;
  readonly message: string;
  readonly durationMs: number;
  /** How many of the commands were handed to the hosts (0: nothing was sent). */
  readonly sent: number;
  readonly request: ActionRequest;
  /** The request that reverses this action, when it ran. */
  readonly undo?: ActionRequest;
}

export function operatorName(): string {
  let user = process.env.USER;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

export const changeKey = (c: Pick<ActionChange, 'host' | 'target' | 'field'>) => `${c.host} ${c.target} ${c.field}`;

export function beforeValues(changes: readonly ActionChange[]): Record<string, string> {
  return Object.fromEntries(changes.map((c) => [changeKey(c), c.before]));
}

export function auditRecord(fields: {
  readonly plan: ActionPlan;
  readonly at: number;
  readonly operator: string;
  readonly result: ActionOutcome;
  readonly message: string;
  readonly after: Readonly<Record<string, string>>;
  readonly durationMs: number;
  /** How many commands were handed to the hosts: only then can the action be undone. */
  readonly sent: number;
}): AuditRecord {
  const { plan } = fields;
  return {
    time: new Date(fields.at).toISOString(),
    operator: fields.operator,
    action: plan.kind,
    cluster: plan.cluster,
    host: plan.director,
    target: plan.target,
    hosts: plan.preview.commands.map((c) => c.host),
    argv: plan.preview.commands.map((c) => c.argv),
    command: plan.preview.commands.map((c) => c.command),
    before: beforeValues(plan.preview.changes),
    after: fields.after,
    result: fields.result,
    message: fields.message,
    durationMs: fields.durationMs,
    sent: fields.sent,
    request: plan.request,
    ...(fields.sent > 0 && plan.undo ? { undo: plan.undo } : {}),
  };
}

/** A failure before any plan existed (unknown real server found on the host, host dropped while reading). */
export function failedRequestRecord(fields: {
  readonly request: ActionRequest;
  readonly at: number;
  readonly operator: string;
  readonly message: string;
  readonly durationMs: number;
  readonly result: ActionOutcome;
}): AuditRecord {
  const r = fields.request;
  return {
    time: new Date(fields.at).toISOString(),
    operator: fields.operator,
    action: r.action === 'weight-rows' ? 'weight' : r.action,
    cluster: r.cluster,
    host: r.director,
    target:
      'instance' in r ? r.instance : 'service' in r ? `${r.service}${'realServer' in r ? ` ${r.realServer}` : ''}` : '',
    hosts: [],
    argv: [],
    command: [],
    before: {},
    after: {},
    result: fields.result,
    message: fields.message,
    durationMs: fields.durationMs,
    sent: 0,
    request: r,
  };
}

export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
  /** Every record in the log, oldest first; lines that are not records are skipped. */
  records(): Promise<AuditRecord[]>;
}

export function parseAuditLines(text: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as AuditRecord;
      if (typeof r.time === 'string' && typeof r.result === 'string' && r.request) out.push(r);
    } catch {
      // A torn or foreign line: skip it, the rest of the log still counts.
    }
  }
  return out;
}

/** The audit log file; appends are serialised so concurrent actions never interleave lines. */
export function fileAuditLog(file: string): AuditLog {
  let tail: Promise<void> = Promise.resolve();
  return {
    append(record) {
      const next = tail.then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await appendFile(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      });
      tail = next.catch(() => undefined);
      return next;
    },
    async records() {
      await tail;
      try {
        return parseAuditLines(await readFile(file, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
  };
}
