import type { IpvsService } from '../../collectors/ipvs-types.js';
import { parseRsProbe, roundKillMs, rsProbeArgv, type ProbeTarget } from '../../collectors/rs-probe.js';
import type { ClusterConfig } from '../config/config-schema.js';
import type { FloorRow } from '../model/healthy-floor.js';
import { probePlan } from '../model/probe-plan.js';
import type { Transport } from '../transport/transport.js';
import { describeError } from '../transport/transport-error.js';

/** Time allowed for the probe round's SSH session to start, beyond the round's own bound. */
export const FLOOR_PROBE_START_MS = 25_000;

/**
 * The floor's verdicts where no probes run (headless commands): every real server of the service probed once from
 * the director with the console's own probe, the way the cluster's `healthProbes.default` says, bounded by its
 * deadline. A server that cannot be probed (UDP, fwmark, probes disabled) is unknown, and never counts as healthy.
 */
export async function probeFloorRows(
  transport: Transport,
  cluster: Pick<ClusterConfig, 'healthProbes'>,
  service: IpvsService,
): Promise<FloorRow[]> {
  const settings = cluster.healthProbes;
  const plans = service.realServers.map((rs) => ({ rs, plan: probePlan(service, rs, settings, undefined) }));
  const targets: ProbeTarget[] = [];
  for (const p of plans) if ('target' in p.plan) targets.push(p.plan.target);
  const deadline = settings.deadlineMs;
  let outcomes: ReturnType<typeof parseRsProbe> | undefined;
  let failure: string | undefined;
  if (targets.length > 0) {
    try {
      const bound = roundKillMs(deadline);
      // The round kills itself at `bound`; the rest is the SSH session's own start, seconds on a director under
      // load. A round that did not come back leaves every probed server unknown, and a drain then asks to be forced.
      const r = await transport.exec(rsProbeArgv(targets, deadline), { timeoutMs: bound + FLOOR_PROBE_START_MS });
      outcomes = parseRsProbe(r.stdout, targets, deadline, bound);
      if (!outcomes.ok) failure = outcomes.error.message;
    } catch (err) {
      failure = describeError(err);
    }
  }
  let next = 0;
  return plans.map(({ rs, plan }): FloorRow => {
    const base = { address: rs.address, port: rs.port, weight: rs.weight };
    if (!('target' in plan)) return { ...base, healthy: undefined, why: plan.notProbed, unprobed: true };
    const o = outcomes?.ok ? outcomes.value[next++] : undefined;
    if (!o) return { ...base, healthy: undefined, why: `probe failed: ${failure ?? 'no answer'}` };
    const expected = plan.expect === undefined || (o.status !== undefined && plan.expect.includes(o.status));
    const healthy = o.ok === undefined ? undefined : o.ok && expected;
    return {
      ...base,
      healthy,
      why: `${plan.how}: ${healthy === undefined ? 'unknown' : healthy ? 'up' : 'down'} ${o.detail} (probed once, ${o.ms} ms)`,
    };
  });
}
