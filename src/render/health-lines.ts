import { directorHealth, type RealServerHealth } from '../model/rs-health.js';
import type { LvsState } from '../store/lvs-store.js';
import { formatAge } from './format.js';

export interface HealthLine {
  readonly text: string;
  readonly bad: boolean;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** What the probe found, in words: `DOWN: connection refused (HTTP GET / :80), 3 in a row since 01:20:13, 1s ago`. */
export function probeText(h: RealServerHealth, now: number): string {
  if ('notProbed' in h.plan) return h.plan.notProbed;
  const p = h.probe;
  if (!p) return `${h.plan.how}: not probed yet`;
  const age = `probed ${formatAge(now - p.at)} ago`;
  if (h.verdict === 'unknown') return `${h.plan.how}: unknown (${p.detail}; ${age})`;
  const run = p.ok === false ? `, ${p.failures} in a row since ${clock(p.since)}` : `, since ${clock(p.since)}`;
  return `${h.verdict === 'up' ? 'up' : h.verdict === 'down' ? 'DOWN' : 'failing'}: ${p.detail} (${h.plan.how}, ${p.ms} ms)${run}; ${age}`;
}

/** keepalived's checker in words: `keepalived TCP_CHECK down (1 failed checker), weight 100 in keepalived.conf`. */
export function checkerText(h: RealServerHealth): string | undefined {
  const c = h.checker;
  if (!c) return undefined;
  const failed = c.failedCheckers > 0 ? ` (${c.failedCheckers} failed checker${c.failedCheckers > 1 ? 's' : ''})` : '';
  const inhibit = c.inhibitOnFailure ? ', inhibit_on_failure' : '';
  return `keepalived ${c.kind} ${c.up ? 'up' : 'down'}${failed}, weight ${c.configuredWeight} in keepalived.conf, ${c.effectiveWeight} set${inhibit}`;
}

/** Every director's view of one real server address: per service the probe, the checker and keepalived's notes. */
export function realServerHealthLines(state: LvsState, address: string, now: number): HealthLine[] {
  const out: HealthLine[] = [];
  for (const director of Object.keys(state.ipvs))
    for (const h of directorHealth(state, director, now)) {
      if (h.address !== address) continue;
      out.push({ text: `  ${director} ${h.service.key} :${h.port}: ${probeText(h, now)}`, bad: h.healthy === false });
      const c = checkerText(h);
      if (c) out.push({ text: `    ${c}`, bad: h.checker?.up === false });
      for (const n of h.notes) out.push({ text: `    ${n}`, bad: true });
    }
  return out;
}
