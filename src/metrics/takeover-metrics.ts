import { vrrpRows } from '../model/vrrp.js';
import { clusterTimings, type InstanceTiming } from '../model/vrrp-timing.js';
import type { LvsState } from '../store/lvs-store.js';
import type { Sample, StateMetricSpec } from './state-metric.js';

/** Every instance's failover timing, per cluster. */
function eachTiming(state: LvsState, fn: (cluster: string, t: InstanceTiming) => Sample[]): Sample[] {
  return state.clusters.flatMap((c) => {
    const rows = vrrpRows(state, c);
    return rows.length === 0 ? [] : [...clusterTimings(state, c, rows).values()].flatMap((t) => fn(c.name, t));
  });
}

/** Failover timing: what the timers promise, the last takeover the notify logs show, and flapping. */
export function takeoverMetrics(): StateMetricSpec[] {
  return [
    {
      name: 'lvstop_vrrp_expected_takeover_seconds',
      help: 'Takeover time the VRRP timers promise: case="silent" the MASTER goes silent (3 x advert_int + skew), case="release" it steps down (skew).',
      type: 'gauge',
      labelNames: ['cluster', 'instance', 'case'],
      samples: (state) =>
        eachTiming(state, (cluster, t) =>
          t.expected
            ? [
                [{ cluster, instance: t.instance, case: 'silent' }, t.expected.onSilenceSec],
                [{ cluster, instance: t.instance, case: 'release' }, t.expected.onReleaseSec],
              ]
            : [],
        ),
    },
    {
      name: 'lvstop_vrrp_last_takeover_seconds',
      help: "The last measured takeover: from the old MASTER's leaving notify line to the new MASTER's (whole seconds); absent when the old MASTER logged nothing.",
      type: 'gauge',
      labelNames: ['cluster', 'instance'],
      samples: (state) =>
        eachTiming(state, (cluster, t) => {
          const last = t.measured.at(-1);
          return last?.seconds === undefined ? [] : [[{ cluster, instance: t.instance }, last.seconds]];
        }),
    },
    {
      name: 'lvstop_vrrp_transitions_10m',
      help: "State changes of the instance in the last 10 minutes, from the director's notify log (its own clock). 3 or more is flapping.",
      type: 'gauge',
      labelNames: ['cluster', 'instance', 'director'],
      samples: (state) =>
        eachTiming(state, (cluster, t) =>
          Object.entries(t.transitions10m).map(([director, n]): Sample => [
            { cluster, instance: t.instance, director },
            n,
          ]),
        ),
    },
    {
      name: 'lvstop_vrrp_flapping',
      help: 'The instance changed state 3 or more times in the last 10 minutes on this director.',
      type: 'gauge',
      labelNames: ['cluster', 'instance', 'director'],
      samples: (state) =>
        eachTiming(state, (cluster, t) =>
          Object.keys(t.transitions10m).map((director): Sample => [
            { cluster, instance: t.instance, director },
            t.flapping.includes(director) ? 1 : 0,
          ]),
        ),
    },
  ];
}
