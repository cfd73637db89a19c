import type { ServiceRef } from './action-types.js';

/**
 * Lists the `virtual_server` lines of keepalived's config on a director (includes under /etc/keepalived too).
 * Best effort: a config elsewhere (keepalived -f) is not seen.
 */
export const KEEPALIVED_VIRTUAL_SERVERS_ARGV = [
  'sh',
  '-c',
  "grep -rhsE '^[[:space:]]*virtual_server[[:space:]]' /etc/keepalived; exit 0",
] as const;

/** Exits 0 when the keepalived whose pid file is $1 runs. */
export const KEEPALIVED_RUNNING_ARGV = (pidFile: string) =>
  ['sh', '-c', 'read -r p < "$1" && kill -0 "$p"', 'lvstop-ka', pidFile] as const;

/** Whether one of keepalived's `virtual_server` lines is the service (`virtual_server group` may be any). */
export function keepalivedOwns(virtualServerLines: string, svc: ServiceRef): boolean {
  for (const line of virtualServerLines.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'virtual_server') continue;
    if (words[1] === 'group') return true;
    if (svc.protocol === 'FWM') {
      if (words[1] === 'fwmark' && Number(words[2]) === svc.fwmark) return true;
    } else if (words[1]?.replace(/^\[|\]$/g, '') === svc.address && Number(words[2]) === svc.port) return true;
  }
  return false;
}

export function keepalivedOwnerWarning(host: string, change: string, peerHosts: readonly string[]): string {
  return (
    `keepalived owns this service on ${host}: the ${change} is not written to keepalived.conf, is lost when ` +
    `keepalived restarts or reloads, and its health checks may change it again` +
    (peerHosts.length > 0 ? `; apply it on ${peerHosts.join(', ')} too (also-peer) so a failover does not undo it` : '')
  );
}
