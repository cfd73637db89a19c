import { z } from 'zod';
import type { WeightValue } from '../actions/console-contract.js';
import { validateSchedulerName } from '../actions/schedulers.js';
import { parseWeight, parseWeightChange, type WeightChange } from '../actions/weight-change.js';
import { PROTOCOL_VERSION, type ClientMessage } from './protocol.js';

/** Names a console may send: no control characters (they would reach serve's log and the audit line). */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, 'control characters are not allowed');

const id = z.int();
const name = text(256);
const MAX_TARGETS = 1024;
const MAX_ERROR_CHARS = 240;

/** What the console's WeightValue can say: an exact weight, one step, drain or restore. */
function weightValueOf(change: WeightChange): WeightValue {
  if (change.kind === 'set') return change.weight;
  if (change.kind === 'step') {
    if (Math.abs(change.delta) !== 1) throw new Error(`weight step ${change.delta}: the console steps by +1 or -1`);
    return change.delta > 0 ? '+1' : '-1';
  }
  return change.kind;
}

/**
 * A weight as the headless `weight` command parses it: a number is an exact weight (parseWeight: an integer
 * 0..65535), a string is `N`, `+N`, `-N`, `drain` or `restore` (parseWeightChange).
 */
const weightValue = z.union([z.number(), z.string().max(16)]).transform((v, ctx): WeightValue => {
  try {
    return weightValueOf(
      typeof v === 'number' ? { kind: 'set', weight: parseWeight(String(v)) } : parseWeightChange(v),
    );
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const realServerTarget = z.strictObject({
  kind: z.literal('real-server'),
  director: name,
  service: name,
  realServer: z.strictObject({ address: text(64), port: z.int().min(0).max(65535) }),
});
const serviceTarget = z.strictObject({ kind: z.literal('service'), director: name, service: name });
const vrrpTarget = z.strictObject({ kind: z.literal('vrrp'), director: name, instance: name });

const consoleRequest = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('weight'),
    cluster: name,
    targets: z.array(realServerTarget).min(1).max(MAX_TARGETS),
    value: weightValue,
  }),
  z.strictObject({
    kind: z.literal('scheduler'),
    cluster: name,
    target: serviceTarget,
    scheduler: text(16).transform((s, ctx) => {
      try {
        return validateSchedulerName(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  }),
  z.strictObject({
    kind: z.literal('failover'),
    cluster: name,
    target: vrrpTarget,
    to: z.enum(['MASTER', 'BACKUP']),
  }),
  z.strictObject({ kind: z.literal('release'), cluster: name, target: vrrpTarget }),
  z.strictObject({ kind: z.literal('undo') }),
]);

/** Every message a console may send: the one schema serve checks each line against. */
const clientMessage = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('hello'),
    v: z.literal(PROTOCOL_VERSION, {
      error: (iss) => `protocol version ${JSON.stringify(iss.input)?.slice(0, 20)} is not ${PROTOCOL_VERSION}`,
    }),
    operator: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 of A-Z a-z 0-9 . _ -'),
  }),
  z.strictObject({ t: z.literal('plan'), id, request: consoleRequest }),
  z.strictObject({ t: z.literal('run'), id, confirmation: z.union([z.literal(true), text(256)]) }),
  z.strictObject({ t: z.literal('cancel'), id }),
  z.strictObject({ t: z.literal('refresh') }),
]);

export type ParsedClientMessage =
  { readonly ok: true; readonly message: ClientMessage } | { readonly ok: false; readonly error: string };

/**
 * Check one line from a console against the schema. A failure is one readable sentence naming the message and the
 * field (`plan: request.value: weight "1.5": expected an integer from 0 to 65535`), never a thrown TypeError.
 */
export function parseClientMessage(value: unknown): ParsedClientMessage {
  const t = typeof value === 'object' && value !== null ? (value as { t?: unknown }).t : undefined;
  if (typeof t !== 'string') return { ok: false, error: 'not a message: expected a JSON object with a "t" field' };
  const parsed = clientMessage.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0]!;
  if (issue.path.length === 1 && issue.path[0] === 't')
    return { ok: false, error: `unknown message ${JSON.stringify(t).slice(0, 40)}` };
  const where = issue.path.map(String).join('.');
  // A path or message can quote the client's own keys: bounded, so an error line stays a line.
  return { ok: false, error: `${t}: ${where ? `${where}: ` : ''}${issue.message}`.slice(0, MAX_ERROR_CHARS) };
}
