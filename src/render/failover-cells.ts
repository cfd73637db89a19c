import { vrrpRows } from '../model/vrrp.js';
import { clusterTimings, lastTakeoverText, seconds, type InstanceTiming } from '../model/vrrp-timing.js';
import { FLAP_TRANSITIONS } from '../model/takeover.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';

const iso = (unixSec: number | undefined) =>
  unixSec === undefined ? '-' : new Date(unixSec * 1000).toISOString().slice(0, 19).replace('T', ' ');

/** The whole story of one instance's failover timing, for the detail. */
function timingLines(t: InstanceTiming): string[] {
  const e = t.expected;
  const lines = [
    `advert_int ${t.timing.advertIntSec}s, VRRPv${t.timing.version ?? 2}`,
    e
      ? `next takeover by ${e.director} (priority ${e.priority}): ${seconds(e.onReleaseSec)} when the MASTER steps down (skew), ${seconds(e.onSilenceSec)} when it goes silent (3 × advert_int + skew)`
      : 'no director to take over',
    ...Object.entries(t.transitions10m).map(
      ([d, n]) => `${d}: ${n} transitions in the last 10 minutes${t.flapping.includes(d) ? ' - FLAPPING' : ''}`,
    ),
    t.measured.length > 0 ? 'takeovers in the notify logs (director clocks):' : 'no takeover in the notify logs',
  ];
  for (const m of t.measured)
    lines.push(
      `  ${iso(m.masterAt)} ${m.from} → ${m.to}: ${m.seconds === undefined ? 'not measured' : `${m.seconds}s`} (${m.how}${m.leftAs ? `, ${m.from} ${m.leftAs}` : ''})`,
    );
  return lines;
}

/** The TAKEOVER cell: the last measured takeover over what a step-down promises (`1s/0.6s`); `!` when flapping. */
export function takeoverCell(t: InstanceTiming | undefined, director: string): string {
  if (!t) return '-';
  const promise = t.expected ? seconds(t.expected.onReleaseSec) : '-';
  return `${lastTakeoverText(t)}/${promise}${t.flapping.includes(director) ? '!' : ''}`;
}

/** Per instance of the cluster: its failover timing, and the detail that tells the whole of it. */
export function failoverCells(state: LvsState, cluster: ClusterInfo) {
  const timings = clusterTimings(state, cluster, vrrpRows(state, cluster));
  return (director: string, instance: string) => {
    const t = timings.get(instance);
    return {
      takeover: takeoverCell(t, director),
      transitions: String(t?.transitions10m[director] ?? 0),
      detail: t
        ? ({
            kind: 'text',
            title: `${cluster.name} ${instance} failover timing (flapping: ${FLAP_TRANSITIONS}+ changes in 10 min)`,
            lines: timingLines(t),
          } as const)
        : undefined,
    };
  };
}
