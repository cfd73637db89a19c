import { extrasOf, interpretIpvs, interpretIpvsFromProc, IPVS_SECTIONS } from '../../collectors/ipvs-collector.js';
import type { ListExtras } from '../../collectors/ipvs-proc-merge.js';
import { IPVS_CONN_COUNT_SECTION, parseConnCount } from '../../collectors/ipvs-conn-count.js';
import { IPVS_DAEMON_SECTION, parseIpvsDaemon } from '../../collectors/ipvs-daemon.js';
import { interpretNfsMounts, NFS_SECTIONS } from '../../collectors/nfs.js';
import { interpretNfsExports, NFS_EXPORT_SECTIONS } from '../../collectors/nfs-exports.js';
import type { Section, SectionOutput } from '../../collectors/section.js';
import { parseShellTimes, SHELL_TIMES_SECTION } from '../../collectors/shell-times.js';
import type { LvsState } from '../store/lvs-store.js';
import type { PaneKind } from '../store/store-types.js';

/** One part of a host's poll: the pane it feeds, its sections, and how its outputs land in the store. */
export interface PollPart {
  /** Unique per host: `ipvs`, `keepalived`, `replication:<pair>:<side>`... */
  readonly id: string;
  /** The pane this part feeds; a late or failed part marks that pane, never the whole host. */
  readonly pane: PaneKind;
  sections(): readonly Section[];
  apply(outputs: ReadonlyMap<string, SectionOutput>, state: LvsState, readAt: number): void;
  /**
   * Called late only once the poll has run this many intervals (default 1). A part read now and then (every 10 s),
   * last in the poll, that comes a little after the others is no news: its reading is that old anyway.
   */
  readonly lateAfterIntervals?: number;
}

/** The host's clock is read this often (one `date` process), for the clock-skew doctor check. */
export const CLOCK_READ_MS = 60_000;
export const KEEPALIVED_DATA_MS = 5_000;
/** A director's connection sync daemons are read this often (one `ipvsadm -L --daemon`). */
export const SYNC_DAEMON_READ_MS = 10_000;
/** A director's connection-table size is counted this often (one `wc -l`, the kernel formats every entry). */
export const CONN_COUNT_READ_MS = 30_000;
/** An NFS server's exports and their owners are read this often. */
export const NFS_EXPORTS_READ_MS = 15_000;

/** A read made every `ms`: `due()` says whether it is due (and counts it as made now), `again()` makes it due now. */
export function every(ms: number): { due(): boolean; again(): void } {
  let last = 0;
  return {
    due: () => {
      if (Date.now() - last < ms) return false;
      last = Date.now();
      return true;
    },
    again: () => {
      last = 0;
    },
  };
}

/**
 * A read made once in each `ms` window of the clock (ms since the epoch), at a host's first poll in the window. Reads
 * of hosts that must be compared (the two directors' table sizes) so fall in the same window, however late one of
 * them came once: `every` would keep a late host's reads late for good.
 */
export function onClockWindow(ms: number): { due(): boolean } {
  let window = -1;
  return {
    due: () => {
      const now = Math.floor(Date.now() / ms);
      if (now === window) return false;
      window = now;
      return true;
    },
  };
}

/** The host's clock as seconds since the epoch: bash's own EPOCHREALTIME (no process), else `date +%s.%N`. */
export const CLOCK_SCRIPT = `if [ -n "\${EPOCHREALTIME:-}" ]; then e=$EPOCHREALTIME; echo "\${e%[.,]*}.\${e#*[.,]}"; else date +%s.%N; fi`;

/** The host's clock, now and then, for its skew from the console's. */
export function clockPart(host: string): PollPart {
  const clock = every(CLOCK_READ_MS);
  return {
    id: 'clock',
    pane: 'host',
    sections: () => (clock.due() ? [{ id: 'clock', script: CLOCK_SCRIPT, args: [], inline: true }] : []),
    apply: (out, state, at) => {
      const o = out.get('clock');
      const t = o?.exitCode === 0 ? Number(o.stdout.trim()) : NaN;
      // `at` is when the answer arrived, so the skew is off by at most the time the answer took to come back.
      if (Number.isFinite(t) && t > 0) state.setClockSkew(host, Math.round(t * 1000 - at));
    },
  };
}

/** The full `ipvsadm -L -n --exact` is read this often; the polls between read /proc/net/ip_vs and `--stats`. */
export const IPVS_LIST_READ_MS = 10_000;

/** The sections of a poll that reads /proc/net/ip_vs (no process) and `ipvsadm --stats`, not the list. */
const PROC_POLL_SECTIONS = IPVS_SECTIONS.filter((x) => x.id !== 'ipvs-list');

/**
 * A director's IPVS table. Weights, connection counts and real servers are all in /proc/net/ip_vs, which the poll's
 * shell reads without a process; the counters need `ipvsadm --stats`. The full list (persistence in seconds, its
 * netmask, flags /proc does not show) is read beside /proc every IPVS_LIST_READ_MS, and at once when /proc shows a
 * service that is new or whose scheduler or persistence changed, or ipvsadm or /proc fails: one ipvsadm process per
 * poll instead of two. A host whose /proc cannot be read, or where ipvsadm fails, is read in full every poll, with
 * /proc the fallback for a failing ipvsadm.
 */
export function ipvsPart(host: string): PollPart {
  let extras: ListExtras | undefined;
  const list = every(IPVS_LIST_READ_MS);
  return {
    id: 'ipvs',
    pane: 'ipvs',
    sections: () => {
      const due = list.due();
      return extras && !due ? PROC_POLL_SECTIONS : IPVS_SECTIONS;
    },
    apply: (out, state, at) => {
      if (!extras || out.has('ipvs-list')) {
        const reading = interpretIpvs(out);
        extras = extrasOf(out, reading);
        state.setIpvs(host, reading, at);
        return;
      }
      const r = interpretIpvsFromProc(out, extras);
      if (r.listNow) {
        extras = undefined;
        list.again();
      }
      state.setIpvs(host, r.reading, at);
    },
  };
}

/** The mounts of a host that mounts configured NFS shares. */
export function nfsPart(host: string): PollPart {
  return {
    id: 'nfs',
    pane: 'nfs',
    sections: () => NFS_SECTIONS,
    apply: (out, state, at) => {
      const r = interpretNfsMounts(out);
      if (r.ok) state.setNfsMounts(host, r.value, at);
    },
  };
}

/** The exports of a host that serves configured NFS mounts, now and then. */
export function nfsExportsPart(host: string): PollPart {
  const exportsRead = every(NFS_EXPORTS_READ_MS);
  return {
    id: 'nfs-exports',
    pane: 'nfs',
    sections: () => (exportsRead.due() ? NFS_EXPORT_SECTIONS : []),
    apply: (out, state, at) => {
      if (!out.has('nfs-etab')) return;
      const r = interpretNfsExports(out);
      state.setNfsExports(
        host,
        r.ok ? { host, readAt: at, reading: r.value } : { host, readAt: at, error: r.error.message },
      );
    },
  };
}

/** Why a section gave no usable output: not run, killed at its deadline, or its exit code and stderr. */
function sectionFailure(o: SectionOutput, timeoutSec: number | undefined): string {
  if (o.exitCode === null) return 'not run (IPVS not loaded)';
  if (o.exitCode === 137 || o.exitCode === 124) return `not done within ${timeoutSec ?? '?'}s`;
  return `exit ${o.exitCode}${o.stderr.trim() ? `: ${o.stderr.trim().slice(0, 120)}` : ''}`;
}

/**
 * A director's connection sync: its sync daemons every SYNC_DAEMON_READ_MS, its table size once in each
 * CONN_COUNT_READ_MS of the clock (the MASTER's and BACKUP's sizes are compared: read in the same window).
 */
export function syncPart(host: string): PollPart {
  const daemons = every(SYNC_DAEMON_READ_MS);
  const count = onClockWindow(CONN_COUNT_READ_MS);
  // When the director's present VRRP state was first seen: a transition swaps its daemons' roles, so they are read
  // again at the next poll (until then the warning does not judge them, see syncAlerts).
  let stateSeenAt = 0;
  return {
    id: 'sync',
    pane: 'ipvs',
    lateAfterIntervals: 3,
    sections: () => [
      ...(daemons.due() ? [IPVS_DAEMON_SECTION] : []),
      ...(count.due() ? [IPVS_CONN_COUNT_SECTION] : []),
    ],
    apply: (out, state, readAt) => {
      const d = out.get(IPVS_DAEMON_SECTION.id);
      if (d) {
        const r = d.exitCode === 0 ? parseIpvsDaemon(d.stdout) : undefined;
        const error = r ? (r.ok ? undefined : r.error.message) : sectionFailure(d, IPVS_DAEMON_SECTION.timeoutSec);
        const read = { readAt, everyMs: SYNC_DAEMON_READ_MS };
        state.setSyncDaemons(host, r?.ok ? { ...read, ok: true, ...r.value } : { ...read, ok: false, error: error! });
      }
      const c = out.get(IPVS_CONN_COUNT_SECTION.id);
      if (c) {
        const r = c.exitCode === 0 ? parseConnCount(c.stdout) : undefined;
        const error = r ? (r.ok ? undefined : r.error.message) : sectionFailure(c, IPVS_CONN_COUNT_SECTION.timeoutSec);
        const read = { readAt, everyMs: CONN_COUNT_READ_MS };
        state.setConnCount(
          host,
          r?.ok ? { ...read, ok: true, entries: r.value } : { ...read, ok: false, error: error! },
        );
      }
      const seen = Math.max(0, ...Object.values(state.keepalived[host]?.stateSeenAt ?? {}));
      if (seen > stateSeenAt && stateSeenAt > 0 && !d) daemons.again();
      stateSeenAt = Math.max(stateSeenAt, seen);
    },
  };
}

/** Weight of the newest sample in the moving averages of what polls and probes cost a host. */
export const COST_SMOOTHING = 0.3;

/** A moving average: the first sample as it is, then each one weighted COST_SMOOTHING. */
export const smoothed = (prev: number | undefined, sample: number) =>
  prev === undefined ? sample : prev + COST_SMOOTHING * (sample - prev);

/**
 * What each poll costs the host in CPU, last in the poll: the poll's shell's `times` (no process) against the last
 * poll's in the same shell. In a new shell (another pid: a reconnect, or a host polled by one `sh -c` a poll) the
 * count so far is this poll's.
 */
export function costPart(host: string): PollPart {
  let last: { pid: number; cpuMs: number } | undefined;
  let average: number | undefined;
  return {
    id: 'cost',
    pane: 'host',
    lateAfterIntervals: 3,
    sections: () => [SHELL_TIMES_SECTION],
    apply: (out, state) => {
      const o = out.get(SHELL_TIMES_SECTION.id);
      const r = o?.exitCode === 0 ? parseShellTimes(o.stdout) : undefined;
      if (!r?.ok) return;
      const prev = last;
      last = r.value;
      const sample = prev?.pid === r.value.pid ? r.value.cpuMs - prev.cpuMs : r.value.cpuMs;
      if (sample < 0) return;
      average = smoothed(average, sample);
      state.setPollCpu(host, Math.round(average * 10) / 10);
    },
  };
}
