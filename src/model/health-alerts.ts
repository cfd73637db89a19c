import { realServerKey } from '../../collectors/ipvs-types.js';
import { editRealServerArgv } from '../actions/ipvsadm-edit.js';
import { quoteArg } from '../transport/command-line.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import { directorHealth, type RealServerHealth } from './rs-health.js';
import { syncAlerts } from './sync.js';

export type HealthAlertKind =
  'rs-down-in-rotation' | 'no-healthy-server' | 'probe-checker-disagree' | 'sync-drops-sessions';

export interface HealthAlert {
  readonly kind: HealthAlertKind;
  readonly severity: 'critical' | 'warn';
  readonly cluster: string;
  readonly director: string;
  readonly service: string;
  /** `192.168.60.99:80`; absent for a service-wide alert. */
  readonly realServer?: string;
  readonly message: string;
  /** The command that would take the server out of rotation (drain to weight 0), shown, never run from here. */
  readonly fix?: string;
}

/** `ipvsadm -e … -w 0` for this server, keeping its forwarding method, or undefined when ipvsadm cannot keep it. */
function drainCommand(h: RealServerHealth): string | undefined {
  if (!h.rs) return undefined;
  try {
    return editRealServerArgv(h.service, h.rs, 0).map(quoteArg).join(' ');
  } catch {
    return undefined;
  }
}

/** What keepalived's checker may take to act on a server once it fails, beyond its own tries: its delay_loop. */
export const CHECKER_LOOP_ALLOWANCE_MS = 10_000;

/**
 * A server keepalived checks, failing for less time than the checker takes to act on it, as far as the readings can
 * tell: each try's connect timeout and the second between tries (keepalived's defaults: 5 s, 1 retry), and its
 * delay_loop. keepalived is then about to take the server out itself (or set its weight to 0), whatever its last
 * verdict read: paging for it would be a false page (a disagreement is shown meanwhile, as a warning).
 *
 * The time that counts is when the readings were taken, not now: the weight comes from the IPVS table read at
 * `ipvsAt`, keepalived's verdict from a checker view read at `checkersAt` (its data dump comes every few seconds, and
 * a late one's view stands a while). On a starved director either can be many seconds old; a table read before the
 * checker's time was up says nothing about whether keepalived acted. Both are bounded in age (a checker view that
 * stops coming is dropped within CHECKERS_KEPT_MS, and then the server counts as unchecked), so the page is delayed,
 * never lost.
 */
function checkerStillDeciding(h: RealServerHealth, ipvsAt: number, checkersAt: number): boolean {
  if (!h.checker || !h.probe) return false;
  const graceMs = Math.max(
    ...h.checker.checkers.map((c) => ((c.retries ?? 1) + 1) * ((c.connectTimeoutSec ?? 5) + 1) * 1000),
  );
  return Math.min(ipvsAt, checkersAt) - h.probe.since < graceMs + CHECKER_LOOP_ALLOWANCE_MS;
}

/**
 * The service-health judgements of one cluster: a real server that probes say is down while it keeps a weight (the
 * seeds' static `rr` cluster sends every Nth request to it), a service whose weighted servers are all down, and a
 * probe that disagrees with keepalived's checker. Unknown never counts as down: only probes that failed
 * `failuresToDown` times in a row from a director that answers, each recent.
 */
export function healthAlerts(state: LvsState, cluster: ClusterInfo, now: number): HealthAlert[] {
  const out: HealthAlert[] = [];
  for (const director of cluster.directors) {
    const all = directorHealth(state, director, now);
    const ipvsAt = state.ipvs[director]?.okAt ?? now;
    const checkersAt = state.keepalived[director]?.checkersAt ?? now;
    const byService = new Map<string, RealServerHealth[]>();
    for (const h of all) byService.set(h.service.key, [...(byService.get(h.service.key) ?? []), h]);
    for (const [service, list] of byService) {
      const base = { cluster: cluster.name, director, service };
      for (const h of list) {
        const name = realServerKey(h);
        if (h.verdict === 'down' && (h.rs?.weight ?? 0) > 0 && !checkerStillDeciding(h, ipvsAt, checkersAt)) {
          const keepalived = h.checker ? ' keepalived owns this table: its checker may put the weight back.' : '';
          const fix = drainCommand(h);
          out.push({
            ...base,
            kind: 'rs-down-in-rotation',
            severity: 'critical',
            realServer: name,
            message: `${name} of ${service} on ${director} is down (${h.probe?.detail ?? 'probe failed'}, ${h.probe?.failures ?? 0} probes in a row) and still has weight ${h.rs!.weight}: drain it.${keepalived}`,
            ...(fix ? { fix } : {}),
          });
        }
        const disagree = h.notes.find((n) => n.startsWith('probe says'));
        if (disagree)
          out.push({
            ...base,
            kind: 'probe-checker-disagree',
            severity: 'warn',
            realServer: name,
            message: `${name} of ${service} on ${director}: ${disagree}`,
          });
      }
      const weighted = list.filter((h) => (h.rs?.weight ?? 0) > 0);
      if (weighted.length > 0 && weighted.every((h) => h.healthy === false))
        out.push({
          ...base,
          kind: 'no-healthy-server',
          severity: 'critical',
          message: `${service} on ${director} has no healthy weighted real server (${weighted.map((h) => `${realServerKey(h)} ${h.verdict === 'down' ? 'down' : 'checker down'}`).join(', ')})`,
        });
    }
  }
  // A pair whose failover would drop persistent sessions (see `syncAlerts`).
  out.push(...syncAlerts(state, cluster));
  return out;
}
