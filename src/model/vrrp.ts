import type { VrrpInstance, VrrpState } from '../../collectors/keepalived-vrrp.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import { clusterTimings } from './vrrp-timing.js';
import { FLAP_TRANSITIONS, FLAP_WINDOW_SEC } from './takeover.js';

export interface VrrpRow {
  readonly director: string;
  readonly instance: string;
  /** STOP covers "keepalived not running"; UNKNOWN is "no answer yet". */
  readonly state: VrrpState | 'UNREACHABLE';
  readonly vrid?: number;
  readonly basePriority?: number;
  readonly effectivePriority?: number;
  readonly vips: readonly string[];
  /** VIPs configured on a non-loopback interface of this director right now. */
  readonly holdsVips: readonly string[];
  readonly lastTransition?: number;
  /** When this director's keepalived was read (ms, console clock). */
  readonly readAt?: number;
  /** When the console first read the state the instance is in now (ms, console clock). */
  readonly stateSeenAt?: number;
  readonly trackFiles: readonly { readonly name: string; readonly status: number; readonly weight: number }[];
  readonly problem?: string;
  /**
   * A director that is down: what it said when it last answered (state, VIPs it held, when). Shown as last known,
   * never judged: a dead MASTER still "holding" its VIP is not split brain.
   */
  readonly lastKnown?: { readonly state?: VrrpState; readonly holdsVips: readonly string[]; readonly readAt?: number };
}

export interface VrrpAlert {
  readonly kind: 'split-brain' | 'no-master' | 'flapping';
  readonly cluster: string;
  readonly message: string;
}

/**
 * VIPs a host holds on a non-loopback interface (DR real servers keep the VIP on lo on purpose). A host that is down
 * holds nothing anyone can tell: its last reading is history (see `lastHeldVips`).
 */
export function heldVips(state: LvsState, host: string, vips: readonly string[]): string[] {
  return state.hosts[host]?.status === 'down' ? [] : lastHeldVips(state, host, vips);
}

/** What the host's last address reading said, down or not: for showing as last known, never for judging. */
export function lastHeldVips(state: LvsState, host: string, vips: readonly string[]): string[] {
  const addrs = state.hosts[host]?.net?.addresses ?? [];
  return vips.filter((vip) => addrs.some((a) => a.address === vip && a.ifname !== 'lo'));
}

function clusterVips(cluster: ClusterInfo, instances: readonly VrrpInstance[]): string[] {
  return [...new Set([...cluster.vips, ...instances.flatMap((i) => i.vips)])];
}

/** An instance on a director that is down: nothing current, only what it last said, as last known. */
function unreachableRow(state: LvsState, director: string, name: string, vips: readonly string[]): VrrpRow {
  const reading = state.keepalived[director]?.reading;
  const known = reading?.status === 'ok' ? reading.instances.find((i) => i.name === name) : undefined;
  const keptAt = state.keepalived[director]?.okAt;
  return {
    director,
    instance: name,
    state: 'UNREACHABLE',
    vips: [],
    holdsVips: [],
    trackFiles: [],
    problem: state.hosts[director]?.error?.message ?? 'host down',
    lastKnown: {
      ...(known ? { state: known.state } : {}),
      holdsVips: lastHeldVips(state, director, known?.vips.length ? known.vips : vips),
      ...(keptAt === undefined ? {} : { readAt: keptAt }),
    },
  };
}

/** An instance on a director that answers: its state from keepalived's reading, or why it is not known. */
function instanceRow(state: LvsState, director: string, name: string, holds: string[]): VrrpRow {
  const ka = state.keepalived[director];
  const reading = ka?.reading;
  if (!reading) return { director, instance: name, state: 'UNKNOWN', vips: [], holdsVips: holds, trackFiles: [] };
  if (reading.status !== 'ok')
    return {
      director,
      instance: name,
      state: reading.status === 'not-running' ? 'STOP' : 'UNKNOWN',
      vips: [],
      holdsVips: holds,
      trackFiles: [],
      problem: reading.message,
    };
  const inst = reading.instances.find((i) => i.name === name);
  if (!inst)
    return {
      director,
      instance: name,
      state: 'UNKNOWN',
      vips: [],
      holdsVips: holds,
      trackFiles: [],
      problem: `instance ${name} not in keepalived's dump`,
    };
  return {
    director,
    instance: name,
    state: inst.state,
    vrid: inst.vrid,
    basePriority: inst.basePriority,
    effectivePriority: inst.effectivePriority,
    vips: inst.vips,
    holdsVips: heldVips(state, director, inst.vips),
    ...(inst.lastTransition ? { lastTransition: inst.lastTransition } : {}),
    ...(ka ? { readAt: ka.readAt, stateSeenAt: ka.stateSeenAt[name] ?? ka.readAt } : {}),
    trackFiles: reading.trackFiles
      .filter((t) => inst.trackFiles.includes(t.name))
      .map(({ name: n, status, weight }) => ({ name: n, status, weight })),
  };
}

export function vrrpRows(state: LvsState, cluster: ClusterInfo): VrrpRow[] {
  const rows: VrrpRow[] = [];
  const allInstances = Object.keys(cluster.keepalived).flatMap((h) => {
    const r = state.keepalived[h]?.reading;
    return r?.status === 'ok' ? r.instances : [];
  });
  const vips = clusterVips(cluster, allInstances);
  for (const [director, names] of Object.entries(cluster.keepalived)) {
    const down = state.hosts[director]?.status === 'down';
    const holds = heldVips(state, director, vips);
    for (const name of names)
      rows.push(down ? unreachableRow(state, director, name, vips) : instanceRow(state, director, name, holds));
  }
  return rows;
}

/**
 * Reading `a` was taken after this console saw `b` in its state. Both times are the console's own, so a director
 * whose clock is off (an hour ahead, say) cannot hide or invent a split brain.
 */
function confirmedAfter(a: VrrpRow, b: VrrpRow): boolean {
  if (a.readAt === undefined || b.stateSeenAt === undefined) return true;
  return a.readAt >= b.stateSeenAt;
}

/** Host `a`'s addresses were read after the console first saw `vip` on host `b`. */
function heldAfter(state: LvsState, a: string, b: string, vip: string): boolean {
  const readAt = state.hosts[a]?.netReadAt;
  const since = state.hosts[b]?.addressSeenAt?.[vip];
  if (readAt === undefined || since === undefined) return true;
  return readAt >= since;
}

/**
 * Per VIP of the cluster, the directors that hold it now. As with two MASTERs, a holder counts only when its addresses
 * were read after each other holder took the VIP: a director that stopped answering (its poll late, not yet down)
 * still shows the VIP it held before the failover, and that is not a second holder.
 */
export function vipHolders(
  state: LvsState,
  cluster: ClusterInfo,
  rows = vrrpRows(state, cluster),
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const vip of new Set([...cluster.vips, ...rows.flatMap((r) => r.vips)])) {
    const all = [...new Set(rows.filter((r) => r.holdsVips.includes(vip)).map((r) => r.director))];
    out.set(
      vip,
      all.filter((h) => all.every((o) => o === h || heldAfter(state, h, o, vip))),
    );
  }
  return out;
}

/** Two MASTERs for one VRID, or one VIP on two directors: split brain. Keepalived running and no MASTER: no-master. */
export function vrrpAlerts(state: LvsState, cluster: ClusterInfo): VrrpAlert[] {
  const rows = vrrpRows(state, cluster);
  if (rows.length === 0) return [];
  const alerts: VrrpAlert[] = [];
  const byVrid = new Map<number, VrrpRow[]>();
  for (const r of rows) if (r.vrid !== undefined) byVrid.set(r.vrid, [...(byVrid.get(r.vrid) ?? []), r]);
  for (const [vrid, list] of byVrid) {
    // Two MASTER readings only count when each was taken after the other became MASTER: a director read just
    // before a failover still says MASTER while its peer already is, and that is not split brain.
    const masters = list.filter(
      (r) => r.state === 'MASTER' && list.every((o) => o === r || o.state !== 'MASTER' || confirmedAfter(r, o)),
    );
    if (masters.length > 1)
      alerts.push({
        kind: 'split-brain',
        cluster: cluster.name,
        message: `VRID ${vrid}: MASTER on ${masters.map((m) => m.director).join(' and ')}`,
      });
  }
  for (const [vip, holders] of vipHolders(state, cluster, rows))
    if (holders.length > 1)
      alerts.push({ kind: 'split-brain', cluster: cluster.name, message: `VIP ${vip} is on ${holders.join(' and ')}` });
  const timings = clusterTimings(state, cluster, rows);
  if (noMaster(rows, timings))
    alerts.push({
      kind: 'no-master',
      cluster: cluster.name,
      message: `no director is MASTER (${rows.map((r) => `${r.director} ${r.state}`).join(', ')})`,
    });
  return [...alerts, ...flapAlerts(cluster, timings)];
}

/**
 * No director is MASTER, and that is no takeover under way. Only when every director has answered (one not read yet,
 * or unreachable, may well be the MASTER), each after the console saw each other's state, and, while one is BACKUP
 * and so may be taking over, each at least a takeover's time (the longest its timers allow: the MASTER gone silent,
 * 3 x advert_int + skew) after the latest change seen. A MASTER that steps down or stops leaves the VIP unowned until
 * its peer takes over, a second or so, and its step down is often read before the new MASTER's next poll: neither is
 * a cluster without a MASTER. With keepalived stopped or in FAULT everywhere, nothing will take over: said at once.
 */
function noMaster(rows: readonly VrrpRow[], timings: ReturnType<typeof clusterTimings>): boolean {
  if (rows.some((r) => r.state === 'MASTER' || r.state === 'UNKNOWN' || r.state === 'UNREACHABLE')) return false;
  if (!rows.every((a) => rows.every((b) => a === b || confirmedAfter(a, b)))) return false;
  if (!rows.some((r) => r.state === 'BACKUP' || r.state === 'INIT')) return true;
  const takeoverMs =
    1000 * Math.max(0, ...[...timings.values()].map((t) => t.expected?.onSilenceSec ?? 3 * t.timing.advertIntSec + 1));
  const changed = Math.max(0, ...rows.map((r) => r.stateSeenAt ?? 0));
  return rows.every((r) => r.readAt !== undefined && r.readAt >= changed + takeoverMs);
}

/** An instance that changed state 3 or more times in 10 minutes on a director (its notify log, its clock). */
function flapAlerts(cluster: ClusterInfo, timings: ReturnType<typeof clusterTimings>): VrrpAlert[] {
  return [...timings.values()].flatMap((t) =>
    t.flapping.map((d) => ({
      kind: 'flapping' as const,
      cluster: cluster.name,
      message: `${t.instance} flapping on ${d}: ${t.transitions10m[d]} transitions in ${FLAP_WINDOW_SEC / 60} min (${FLAP_TRANSITIONS}+ is flapping)`,
    })),
  );
}
