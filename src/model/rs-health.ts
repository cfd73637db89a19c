import type { IpvsRealServer, IpvsService } from '../../collectors/ipvs-types.js';
import { realServerKey } from '../../collectors/ipvs-types.js';
import { probeTargetKey } from '../../collectors/rs-probe.js';
import type { LvsState } from '../store/lvs-store.js';
import type { RealServerProbe } from '../store/store-types.js';
import { checkedService, checkerFor, type RealServerChecker } from './checker-view.js';
import { directorProbePlans, FIRST_ROUND_PROBES, probePlan, probeSettings, type ProbePlan } from './probe-plan.js';

/**
 * What the probes say of one real server: `up`, `down` (failed `failuresToDown` times in a row), `failing` (failed,
 * not enough times yet), `unknown` (never probed, the last probe is too old, or the director is down), `not-probed`.
 */
export type ProbeVerdict = 'up' | 'down' | 'failing' | 'unknown' | 'not-probed';

export interface RealServerHealth {
  readonly director: string;
  readonly service: IpvsService;
  readonly address: string;
  readonly port: number;
  /** The live IPVS row; absent when keepalived's checker took the server out of the table. */
  readonly rs?: IpvsRealServer;
  readonly plan: ProbePlan;
  readonly probe?: RealServerProbe;
  readonly verdict: ProbeVerdict;
  readonly checker?: RealServerChecker;
  /** Probe and checker both say up (true), either says down (false), or nothing known (undefined). */
  readonly healthy: boolean | undefined;
  /** What keepalived did or will do to this server's IPVS entry, and disagreements, in words. */
  readonly notes: readonly string[];
}

/**
 * A probe older than this says nothing about now: the rounds a full turn of the table takes, plus three, and at
 * least a minute (a busy director's round can take several seconds over a slow SSH connection; a verdict that
 * flickered to unknown between rounds would be as useless as a stale one). Its age is always shown.
 */
function staleAfterMs(state: LvsState, director: string, targets: number): number {
  const s = probeSettings(state, director);
  // The rounds are as big as the director's probe budget lets them be (before it is known, the first rounds').
  const perRound = state.hosts[director]?.probeBudget?.perRound ?? Math.min(s.maxPerRound, FIRST_ROUND_PROBES);
  return Math.max(60_000, (Math.ceil(targets / perRound) + 3) * state.pollIntervalMs + s.deadlineMs * 4 + 1000);
}

function verdictOf(
  state: LvsState,
  director: string,
  plan: ProbePlan,
  probe: RealServerProbe | undefined,
  staleMs: number,
  now: number,
): ProbeVerdict {
  if ('notProbed' in plan) return 'not-probed';
  if (state.hosts[director]?.status === 'down' || !probe || now - probe.at > staleMs || probe.ok === undefined)
    return 'unknown';
  if (probe.ok) return 'up';
  return probe.failures >= probeSettings(state, director).failuresToDown ? 'down' : 'failing';
}

function checkerNotes(rs: IpvsRealServer | undefined, c: RealServerChecker | undefined): string[] {
  if (!c) return [];
  const notes: string[] = [];
  if (!rs && !c.alive) notes.push(`removed by keepalived's checker (${c.kind} down)`);
  else if (!rs) notes.push('in keepalived.conf, not in the IPVS table');
  else if (!c.alive && c.inhibitOnFailure && rs.weight === 0)
    notes.push(`weight 0 by keepalived's checker (inhibit_on_failure, ${c.kind} down)`);
  else if (c.alive && rs.weight !== c.configuredWeight)
    notes.push(`runtime weight ${rs.weight} differs from keepalived.conf: a reload restores ${c.configuredWeight}`);
  return notes;
}

function healthOf(
  state: LvsState,
  director: string,
  service: IpvsService,
  address: string,
  port: number,
  rs: IpvsRealServer | undefined,
  plan: ProbePlan,
  staleMs: number,
  now: number,
): RealServerHealth {
  const probe = 'target' in plan ? state.probes[director]?.[probeTargetKey(plan.target)] : undefined;
  const verdict = verdictOf(state, director, plan, probe, staleMs, now);
  const checker =
    state.hosts[director]?.status === 'down' ? undefined : checkerFor(state, director, service, { address, port });
  const notes = checkerNotes(rs, checker);
  const probeSays = verdict === 'up' ? true : verdict === 'down' ? false : undefined;
  if (checker && probeSays !== undefined && checker.up !== probeSays)
    notes.push(
      `probe says ${probeSays ? 'up' : 'down'}, keepalived's ${checker.kind} says ${checker.up ? 'up' : 'down'}`,
    );
  const healthy =
    probeSays === false || checker?.up === false
      ? false
      : probeSays === true || checker?.up === true
        ? true
        : undefined;
  return {
    director,
    service,
    address,
    port,
    ...(rs ? { rs } : {}),
    plan,
    ...(probe ? { probe } : {}),
    verdict,
    ...(checker ? { checker } : {}),
    healthy,
    notes,
  };
}

/**
 * Every real server of a director: those in its IPVS table, then those keepalived's checker took out of it (in
 * keepalived.conf, not in the table). Nothing is judged from a director that is down.
 */
export function directorHealth(state: LvsState, director: string, now: number): RealServerHealth[] {
  const plans = directorProbePlans(state, director);
  const staleMs = staleAfterMs(state, director, plans.length);
  const out = plans.map(({ service, rs, plan }) =>
    healthOf(state, director, service, rs.address, rs.port, rs, plan, staleMs, now),
  );
  const reading = state.ipvs[director]?.reading;
  if (reading?.status !== 'ok') return out;
  const settings = probeSettings(state, director);
  for (const service of reading.table.services) {
    const live = new Set(service.realServers.map(realServerKey));
    for (const c of checkedService(state, director, service)?.realServers ?? []) {
      if (live.has(realServerKey(c))) continue;
      const gone = {
        address: c.address,
        port: c.port,
        forward: 'Route' as const,
        weight: 0,
        activeConns: 0,
        inactiveConns: 0,
      };
      const plan = probePlan(service, gone, settings, checkerFor(state, director, service, c));
      out.push(healthOf(state, director, service, c.address, c.port, undefined, plan, staleMs, now));
    }
  }
  return out;
}

/** The health of one real server of one service, by the keys the Services view's rows carry. */
export function realServerHealth(
  state: LvsState,
  director: string,
  serviceKey: string,
  rsKey: string,
  now: number,
): RealServerHealth | undefined {
  return directorHealth(state, director, now).find((h) => h.service.key === serviceKey && realServerKey(h) === rsKey);
}

/** Short text for a 9-column cell: `up 12ms`, `DOWN`, `DOWN 503`, `fail 1/2`, `REMOVED`, `CHK DOWN`, `-`, `?`. */
export function healthCell(h: RealServerHealth, failuresToDown: number): string {
  if (!h.rs && h.checker && !h.checker.alive) return 'REMOVED';
  const p = h.probe;
  const checker = h.checker ? (h.checker.up ? 'chk up' : 'CHK DOWN') : undefined;
  switch (h.verdict) {
    case 'up':
      return h.checker?.up === false ? 'CHK DOWN' : `up ${Math.min(p?.ms ?? 0, 9999)}ms`;
    case 'down':
      return p?.status === undefined ? 'DOWN' : `DOWN ${p.status}`;
    case 'failing':
      return `fail ${Math.min(p?.failures ?? 1, 99)}/${failuresToDown}`;
    case 'not-probed':
      return checker ?? '-';
    default:
      return checker ?? '?';
  }
}
