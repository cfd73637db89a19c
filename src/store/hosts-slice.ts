import type { StoreWriter } from './commit-window.js';
import type { LvsState, PollProgress } from './lvs-state.js';
import { shareStructure } from './structural-sharing.js';
import { addressSeenAt, withReadErrors } from './seen-since.js';
import type { HostRuntime, PaneKind, PartStatus } from './store-types.js';
import { markMountsOfDownHost } from './nfs-slice.js';

type HostActions = Pick<
  LvsState,
  | 'hostUp'
  | 'hostDown'
  | 'pollProgress'
  | 'tickSkipped'
  | 'setHostInfo'
  | 'setNet'
  | 'setClockSkew'
  | 'setPollCpu'
  | 'setProbeBudget'
>;

function statusOfParts(parts: Readonly<Record<string, PartStatus>> | undefined): 'up' | 'slow' {
  for (const p of Object.values(parts ?? {})) if (p.lateSince !== undefined || p.error !== undefined) return 'slow';
  return 'up';
}

/** Replace one host's runtime, skipping the write when nothing changed. */
export function writeHost(w: StoreWriter, prev: HostRuntime, next: HostRuntime): void {
  const shared = shareStructure(prev, next);
  if (shared !== prev) w.writeEntry('hosts', prev.name, shared);
}

function patchHost(w: StoreWriter, name: string, patch: Partial<HostRuntime>): void {
  const prev = w.get().hosts[name];
  if (prev) writeHost(w, prev, { ...prev, ...patch });
}

/** One more failed read of `pane` on the host. */
export function countReadError(w: StoreWriter, host: string, pane: PaneKind): void {
  const rt = w.get().hosts[host];
  if (rt) writeHost(w, rt, { ...rt, readErrors: withReadErrors(rt, [pane]) });
}

/** The host's parts after a poll's progress: read, late (since when) or failed (why). */
function partsAfter(prev: HostRuntime, progress: PollProgress, at: number): Record<string, PartStatus> {
  const parts: Record<string, PartStatus> = { ...prev.parts };
  for (const { id, pane } of progress.read ?? []) parts[id] = { pane, readAt: at };
  for (const { id, pane } of progress.late ?? []) {
    const p = parts[id];
    parts[id] = { pane, ...(p?.readAt ? { readAt: p.readAt } : {}), lateSince: p?.lateSince ?? at };
  }
  for (const { id, pane, reason } of progress.failed ?? []) {
    const p = parts[id];
    parts[id] = { pane, ...(p?.readAt ? { readAt: p.readAt } : {}), error: reason };
  }
  return parts;
}

function pollProgress(w: StoreWriter, host: string, progress: PollProgress, at: number): void {
  const prev = w.get().hosts[host];
  if (!prev) return;
  const parts = partsAfter(prev, progress, at);
  const failed = progress.failed ?? [];
  const readErrors =
    failed.length > 0
      ? withReadErrors(
          prev,
          failed.map((f) => f.pane),
        )
      : prev.readErrors;
  // Parts only late: nothing came back, so a host that is down (or still connecting) stays so. A poll waiting
  // on a dead host's transport is not an answer, and must not show the host reachable between two failures.
  if (!progress.read?.length && !failed.length && (prev.status === 'down' || prev.status === 'connecting')) {
    writeHost(w, prev, { ...prev, parts });
    return;
  }
  // The host answered: whatever took it down is over, and its parts say how fresh each pane is.
  const { error: _dropped, ...rest } = prev;
  writeHost(w, prev, { ...rest, parts, status: statusOfParts(parts), ...(readErrors ? { readErrors } : {}) });
}

/** The hosts' runtime: reachability, poll progress, host info, addresses and clock. */
export function hostsSlice(w: StoreWriter): HostActions {
  return {
    hostUp: (host, readAt, durationMs) => {
      const prev = w.get().hosts[host];
      if (!prev) return;
      const { error: _dropped, ...rest } = prev;
      writeHost(w, prev, { ...rest, status: statusOfParts(prev.parts), readAt, pollDurationMs: durationMs });
    },
    hostDown: (host, error, at) => {
      const rt = w.get().hosts[host];
      if (rt)
        patchHost(w, host, { status: 'down', error, lastAttemptAt: at, readErrors: withReadErrors(rt, ['host']) });
      markMountsOfDownHost(w, host, error);
    },
    pollProgress: (host, progress, at) => pollProgress(w, host, progress, at),
    tickSkipped: (host) => patchHost(w, host, { skippedTicks: (w.get().hosts[host]?.skippedTicks ?? 0) + 1 }),
    setHostInfo: (host, info) => patchHost(w, host, { info }),
    setNet: (host, net, readAt) => {
      const prev = w.get().hosts[host];
      if (prev)
        writeHost(w, prev, { ...prev, net, netReadAt: readAt, addressSeenAt: addressSeenAt(prev, net, readAt) });
    },
    setClockSkew: (host, clockSkewMs) => patchHost(w, host, { clockSkewMs }),
    setPollCpu: (host, pollCpuMs) => patchHost(w, host, { pollCpuMs }),
    setProbeBudget: (host, probeBudget) => patchHost(w, host, { probeBudget }),
  };
}
