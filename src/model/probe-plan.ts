import type { IpvsRealServer, IpvsService } from '../../collectors/ipvs-types.js';
import type { ProbeTarget } from '../../collectors/rs-probe.js';
import type { LvsState } from '../store/lvs-store.js';
import { DEFAULT_HEALTH_PROBES, type HealthProbes } from '../store/store-types.js';
import { checkerFor, type RealServerChecker } from './checker-view.js';

/** How one real server of one service is probed from its director, or why it is not. */
export type ProbePlan =
  | {
      readonly target: ProbeTarget;
      /** `TCP connect`, `HTTP GET / (keepalived HTTP_GET)`... */
      readonly how: string;
      /** http: the status codes that mean up. */
      readonly expect?: readonly number[];
    }
  | { readonly notProbed: string };

/** The cluster settings that apply to a director (its first cluster's), or the defaults. */
export function probeSettings(state: LvsState, director: string): HealthProbes {
  return state.clusters.find((c) => c.directors.includes(director))?.healthProbes ?? DEFAULT_HEALTH_PROBES;
}

/**
 * Probe the way keepalived checks the server where it has a checker (its kind, port, URL and status codes), else as
 * the cluster's `healthProbes.default` says. UDP and fwmark services are probed only through a checker's TCP port:
 * what a datagram or a mark would need cannot be told from the table. MISC_CHECK runs a script: shown, never run.
 */
export function probePlan(
  service: IpvsService,
  rs: IpvsRealServer,
  settings: HealthProbes,
  checker: RealServerChecker | undefined,
): ProbePlan {
  if (!settings.enabled) return { notProbed: 'not probed: probes disabled (healthProbes.enabled)' };
  const port = checker?.connectPort ?? rs.port;
  if (checker?.kind === 'MISC_CHECK') return { notProbed: 'not probed: keepalived MISC_CHECK runs a script' };
  if (checker?.kind === 'HTTP_GET')
    return {
      target: { kind: 'http', address: rs.address, port, path: checker.path ?? '/' },
      how: `HTTP GET ${checker.path ?? '/'} :${port} (keepalived HTTP_GET)`,
      expect: checker.statusCodes?.length ? checker.statusCodes : [200],
    };
  if (checker?.kind === 'TCP_CHECK' || checker?.kind === 'SSL_GET')
    return {
      target: { kind: 'tcp', address: rs.address, port },
      how:
        checker.kind === 'SSL_GET'
          ? `TCP connect :${port} (keepalived SSL_GET; TLS not checked)`
          : `TCP connect :${port} (keepalived TCP_CHECK)`,
    };
  if (service.protocol !== 'TCP')
    return { notProbed: `not probed: ${service.protocol === 'FWM' ? 'fwmark' : 'UDP'} service without a checker` };
  if (port === 0) return { notProbed: 'not probed: no port' };
  const d = settings.default;
  return d.kind === 'http'
    ? {
        target: { kind: 'http', address: rs.address, port, path: d.path },
        how: `HTTP GET ${d.path} :${port}`,
        expect: d.expect,
      }
    : { target: { kind: 'tcp', address: rs.address, port }, how: `TCP connect :${port}` };
}

/** Every real server of a director's table with how it is probed, in table order. */
export function directorProbePlans(
  state: LvsState,
  director: string,
): { service: IpvsService; rs: IpvsRealServer; plan: ProbePlan }[] {
  const reading = state.ipvs[director]?.reading;
  if (reading?.status !== 'ok') return [];
  const settings = probeSettings(state, director);
  return reading.table.services.flatMap((service) =>
    service.realServers.map((rs) => ({
      service,
      rs,
      plan: probePlan(service, rs, settings, checkerFor(state, director, service, rs)),
    })),
  );
}

/** Probes in a round before both costs are known (the first polls): enough for a small cluster, light for a big one. */
export const FIRST_ROUND_PROBES = 8;

/**
 * How many of `targets` the next round probes: as many as keep the round's CPU on the director within `costShare`
 * of the poll's, at least one, at most `maxPerRound`. Before both are measured, FIRST_ROUND_PROBES.
 */
export function probeRoundSize(
  targets: number,
  settings: Pick<HealthProbes, 'maxPerRound' | 'costShare'>,
  pollCpuMs: number | undefined,
  perProbeCpuMs: number | undefined,
): number {
  const cap = Math.min(targets, settings.maxPerRound);
  if (pollCpuMs === undefined || perProbeCpuMs === undefined) return Math.min(cap, FIRST_ROUND_PROBES);
  if (perProbeCpuMs <= 0) return cap;
  return Math.max(Math.min(cap, 1), Math.min(cap, Math.floor((settings.costShare * pollCpuMs) / perProbeCpuMs)));
}
