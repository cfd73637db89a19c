import type { KeepalivedReading } from '../../collectors/keepalived.js';
import type { NetState } from '../../collectors/net-state.js';
import type { ProbeOutcome, ProbeTarget } from '../../collectors/rs-probe.js';
import type { DirectorKeepalived, HostRuntime, PaneKind, RealServerProbe } from './store-types.js';

/**
 * When each address of `net` was first read on the host, in the stretch it has been there since: an address already
 * there keeps its time, a new one gets `at`, one that went away is forgotten.
 */
export function addressSeenAt(prev: HostRuntime, net: NetState, at: number): Record<string, number> {
  const before = prev.addressSeenAt ?? {};
  const out: Record<string, number> = {};
  for (const a of net.addresses) out[a.address] = before[a.address] ?? at;
  return out;
}

/** The instances' state changes since start: one more for each instance whose state differs from the last answer. */
export function stateChangesAfter(
  prev: DirectorKeepalived | undefined,
  reading: KeepalivedReading,
): Record<string, number> {
  const counts: Record<string, number> = { ...prev?.stateChanges };
  if (reading.status !== 'ok' || prev?.reading.status !== 'ok') return counts;
  const before = new Map(prev.reading.instances.map((i) => [i.name, i.state]));
  for (const i of reading.instances) {
    const was = before.get(i.name);
    if (was !== undefined && was !== i.state) counts[i.name] = (counts[i.name] ?? 0) + 1;
  }
  return counts;
}

/** The host's failed-read counts with one more for each of `panes`. */
export function withReadErrors(rt: HostRuntime, panes: Iterable<PaneKind>): HostRuntime['readErrors'] {
  const counts: Partial<Record<PaneKind, number>> = { ...rt.readErrors };
  for (const pane of new Set(panes)) counts[pane] = (counts[pane] ?? 0) + 1;
  return counts;
}

/** A keepalived answer that is a failure to read, not a state: `not-running` is a state (STOP), a timeout is not. */
export const keepalivedReadFailed = (r: KeepalivedReading) =>
  r.status === 'error' || r.status === 'timeout' || r.status === 'permission';

/**
 * A target's probe after one more result: failures count up in a row and reset on a pass; a probe that could not
 * judge (`ok` undefined) keeps the run as it was, and the time of the last judged probe, so that its verdict ages
 * (and goes unknown) while nothing is judged; its detail says why. `since` is when the current run began.
 */
export function nextProbe(
  prev: RealServerProbe | undefined,
  target: ProbeTarget,
  outcome: ProbeOutcome,
  at: number,
): RealServerProbe {
  if (outcome.ok === undefined && prev) return { ...prev, detail: outcome.detail };
  const failures = outcome.ok === false ? (prev?.failures ?? 0) + 1 : 0;
  const since = prev && prev.ok === outcome.ok ? prev.since : at;
  return { ...outcome, target, at, failures, since };
}
