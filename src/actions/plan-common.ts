import { argvToCommand } from '../transport/command-line.js';
import type { ActionContext } from './action-context.js';
import type { ActionCommand } from './action-types.js';

/** A command as it is sent: the argv and the exact string (with sudo -n where the host is configured for it). */
export function actionCommand(ctx: ActionContext, host: string, argv: readonly string[]): ActionCommand {
  const sudo = ctx.resolved.hosts.get(host)?.sudo ?? false;
  return { host, argv, command: argvToCommand(argv, { sudo }) };
}

export const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
