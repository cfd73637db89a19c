import { z } from 'zod';
import { consoleSchemas } from '../actions/action-kinds.js';
import { name, text } from '../actions/console-schema.js';
import { reasonSchema } from '../actions/reason.js';
import { PROTOCOL_VERSION, type ClientMessage } from './protocol.js';

const id = z.int();
const MAX_ERROR_CHARS = 240;
/** A console shows one cluster at a time: a few names are room enough. */
export const MAX_WATCHED_CLUSTERS = 16;

/** A console request: one schema per action kind (action-kinds.ts), or undo. */
const consoleRequest = z.discriminatedUnion('kind', [
  ...(consoleSchemas() as [z.ZodObject, ...z.ZodObject[]]),
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
  z.strictObject({
    t: z.literal('run'),
    id,
    confirmation: z.union([z.literal(true), text(256)]),
    reason: reasonSchema.optional(),
  }),
  z.strictObject({ t: z.literal('cancel'), id }),
  z.strictObject({ t: z.literal('refresh') }),
  z.strictObject({ t: z.literal('watch'), clusters: z.array(name).max(MAX_WATCHED_CLUSTERS) }),
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
  if (parsed.success) return { ok: true, message: parsed.data as ClientMessage };
  const issue = parsed.error.issues[0]!;
  if (issue.path.length === 1 && issue.path[0] === 't')
    return { ok: false, error: `unknown message ${JSON.stringify(t).slice(0, 40)}` };
  const where = issue.path.map(String).join('.');
  // A path or message can quote the client's own keys: bounded, so an error line stays a line.
  return { ok: false, error: `${t}: ${where ? `${where}: ` : ''}${issue.message}`.slice(0, MAX_ERROR_CHARS) };
}
