import { appendFile, mkdir, open } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { ActionChange, ActionOutcome, ActionPlan, ActionRequest } from './action-types.js';
import type { StepRecord } from './transaction.js';

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
  /** Why the operator made the change, as typed (an undo carries the original's unless given a new one). */
  readonly reason?: string;
  /** Set when a guard was passed with --force rather than the typed name. */
  readonly forced?: boolean;
  /** A plan run step by step (several commands as one change): what became of each command. */
  readonly steps?: readonly StepRecord[];
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
  readonly reason?: string;
  readonly forced?: boolean;
  readonly steps?: readonly StepRecord[];
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
    ...(fields.reason ? { reason: fields.reason } : {}),
    ...(fields.forced ? { forced: true } : {}),
    ...(fields.steps ? { steps: fields.steps } : {}),
  };
}

/** A failure before any plan existed (unknown real server found on the host, host dropped while reading). */
export function failedRequestRecord(fields: {
  readonly request: ActionRequest;
  /** The request's kind, and what it acts on as its kind names it. */
  readonly kind: string;
  readonly target: string;
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
    action: fields.kind,
    cluster: r.cluster,
    host: r.director,
    target: fields.target,
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
  /** The newest records (those in the last AUDIT_TAIL_BYTES of the log), oldest first; other lines are skipped. */
  records(): Promise<AuditRecord[]>;
}

/** How much of the end of the audit log is read: thousands of records, never the whole file. */
export const AUDIT_TAIL_BYTES = 4 * 1024 * 1024;

/**
 * The last complete lines within `maxBytes` of the end of a file (a line cut by the window is dropped); '' when the
 * file does not exist. Reads at most `maxBytes`, whatever the file's size.
 */
export async function readFileTail(file: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    await handle.close();
  }
}

function isRecord(value: unknown): value is AuditRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Partial<AuditRecord>;
  return typeof r.time === 'string' && typeof r.result === 'string' && typeof r.request === 'object' && !!r.request;
}

export function parseAuditLines(text: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r: unknown = JSON.parse(line);
      if (isRecord(r)) out.push(r);
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
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await appendFile(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      });
      tail = next.catch(() => undefined);
      return next;
    },
    async records() {
      await tail;
      return parseAuditLines(await readFileTail(file, AUDIT_TAIL_BYTES));
    },
  };
}

/**
 * Append a record; when the log cannot be written (EPERM, ENOSPC, ...) the line goes to stderr instead, so it is
 * not lost, and the reason is returned for the action's message. Never rejects.
 */
export async function appendOrReport(audit: AuditLog, record: AuditRecord): Promise<string | undefined> {
  try {
    await audit.append(record);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stderr.write(`lvstop: audit log not written (${reason}); the record:\n${JSON.stringify(record)}\n`);
    return `audit log: ${reason}`;
  }
}
