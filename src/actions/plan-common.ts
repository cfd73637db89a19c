import { argvToCommand } from '../transport/command-line.js';
import type { ActionContext } from './action-context.js';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import type { ActionCommand, ServiceRef } from './action-types.js';

/** A command as it is sent: the argv and the exact string (with sudo -n where the host is configured for it). */
export function actionCommand(ctx: ActionContext, host: string, argv: readonly string[]): ActionCommand {
  const sudo = ctx.resolved.hosts.get(host)?.sudo ?? false;
  return { host, argv, command: argvToCommand(argv, { sudo }) };
}

export const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The part of a listed service a plan keeps: enough to build ipvsadm options and to find it again. */
export const serviceRef = (svc: IpvsService): ServiceRef => ({
  key: svc.key,
  protocol: svc.protocol,
  address: svc.address,
  port: svc.port,
  fwmark: svc.fwmark,
  ipv6: svc.ipv6,
});
