import { z } from 'zod';

/** Names a console may send: no control characters (they would reach serve's log and the audit line). */
export const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, 'control characters are not allowed');

export const name = text(256);

/** At most this many rows in one request. */
export const MAX_TARGETS = 1024;

/** The typed targets a console's rows carry (row-target.ts), as an attached console sends them. */
export const realServerTargetSchema = z.strictObject({
  kind: z.literal('real-server'),
  director: name,
  service: name,
  realServer: z.strictObject({ address: text(64), port: z.int().min(0).max(65535) }),
});
export const serviceTargetSchema = z.strictObject({ kind: z.literal('service'), director: name, service: name });
export const vrrpTargetSchema = z.strictObject({ kind: z.literal('vrrp'), director: name, instance: name });

/** A value parsed by the action layer's own parser: its ActionError message becomes the field's issue. */
export const parsedBy =
  <I, O>(parse: (value: I) => O) =>
  (value: I, ctx: z.RefinementCtx): O => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  };
