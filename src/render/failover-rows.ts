import { vrrpRows } from '../model/vrrp.js';
import { clusterTimings, lastTakeoverText, seconds, type InstanceTiming } from '../model/vrrp-timing.js';
import { FLAP_TRANSITIONS } from '../model/takeover.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import type { TableRow } from './table-model.js';

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

/** One line per instance: `VI_WEB  expect 0.6s release, 3.6s silent  last 1s released  10m 4/3  FLAPPING`. */
function timingRow(cluster: string, t: InstanceTiming): TableRow {
  const e = t.expected;
  const last = t.measured.at(-1);
  const counts = Object.values(t.transitions10m);
  return {
    id: `failover/${t.instance}`,
    span: true,
    cells: [
      t.instance,
      e ? `expect ${seconds(e.onReleaseSec)} release, ${seconds(e.onSilenceSec)} silent` : 'expect -',
      `last ${lastTakeoverText(t)}${last ? ` ${last.how}` : ''}`,
      `10m ${counts.join('/') || '0'}`,
      t.flapping.length > 0 ? 'FLAPPING' : '',
    ],
    tone: t.flapping.length > 0 ? 'warn' : 'normal',
    detail: { kind: 'text', title: `${cluster} ${t.instance} failover timing`, lines: timingLines(t) },
  };
}

/**
 * Below the instances: a heading and one line per instance with its failover timing (expected, last measured,
 * transitions in 10 minutes, flapping at FLAP_TRANSITIONS or more); enter shows the whole of it.
 */
export function failoverRows(state: LvsState, cluster: ClusterInfo): TableRow[] {
  const rows = vrrpRows(state, cluster);
  if (rows.length === 0) return [];
  const timings = [...clusterTimings(state, cluster, rows).values()];
  return [
    {
      id: 'failover',
      group: true,
      span: true,
      cells: [`FAILOVER TIMING (flapping: ${FLAP_TRANSITIONS}+ in 10m)`],
      tone: 'heading',
    },
    ...timings.map((t) => timingRow(cluster.name, t)),
  ];
}
