import { randomBytes } from 'node:crypto';
import { NFS_PROBE_FUNCTION, nfsProbeArgs, nfsProbeArgv, parseNfsProbe } from '../../collectors/nfs.js';
import {
  judgeNfsWrite,
  NFS_WRITE_STEPS,
  NFS_WRITE_TIMEOUT_FACTOR,
  nfsWriteArgv,
  parseNfsWrite,
} from '../../collectors/nfs-write.js';
import type { LvsStore } from '../store/lvs-store.js';
import { quoteArg } from '../transport/command-line.js';
import { TransportFailure } from '../transport/transport-error.js';
import { GridTimer } from './poll-grid.js';
import type { Transport } from '../transport/transport.js';

export interface NfsProberOptions {
  readonly mountId: string;
  readonly mountpoint: string;
  readonly transport: Transport;
  readonly store: LvsStore;
  readonly intervalMs: number;
  readonly probeTimeoutMs: number;
  /** Check now and then that the web user can create a file on the mount; absent: no write check. */
  readonly write?: {
    readonly dir: string;
    /** Absent: the user of the web server's worker processes. */
    readonly user?: string;
    readonly intervalMs: number;
  };
  /**
   * After the first probe, probes fall on the clock's grid `phaseMs + k * intervalMs` (ms since the epoch): probers of
   * one mount in consoles and serves side by side probe at the same moments and the host asks the server once for
   * them all (NFS_PROBE_FUNCTION takes turns). Absent: every interval from the start.
   */
  readonly phaseMs?: number;
}

/** The line that calls NFS_PROBE_FUNCTION for one mount in a long-lived bash. */
export const nfsProbeCall = (mountpoint: string, timeoutMs: number): string =>
  [NFS_PROBE_FUNCTION.name, ...nfsProbeArgs(mountpoint, timeoutMs)].map(quoteArg).join(' ');

/**
 * Probes one NFS mount on its own loop, apart from the host's main poll, so a hung mount never delays IPVS data.
 * At most one probe is outstanding; the remote `timeout -s KILL` ends a hung stat, and the exec timeout backs it up.
 * Where the transport keeps long-lived shells, the probe runs in a bash of the mount's own (a lane): `timeout` and
 * `stat` are the only processes it starts on the host, with no SSH session, login shell or `date` per probe; a probe
 * that outlives its timeout ends that shell, and the next probe opens a new one.
 */
export class NfsProber {
  private readonly o: NfsProberOptions;
  private readonly grid: GridTimer;
  private running: Promise<void> | undefined;
  private lastWriteAt = -Infinity;

  constructor(options: NfsProberOptions) {
    this.o = options;
    this.grid = new GridTimer(options.intervalMs, options.phaseMs, () => void this.probe());
  }

  start(): void {
    void this.probe();
    this.grid.start();
  }

  async stop(): Promise<void> {
    this.grid.stop();
    await this.running;
  }

  probe(): Promise<void> {
    if (this.running || this.o.store.getState().paused) return this.running ?? Promise.resolve();
    const { store, mountId } = this.o;
    store.getState().nfsProbeStarted(mountId);
    const { transport, mountpoint, probeTimeoutMs } = this.o;
    const limits = { timeoutMs: probeTimeoutMs + 5000, maxOutputBytes: 4096 };
    const run = transport.execBash
      ? transport.execBash(nfsProbeCall(mountpoint, probeTimeoutMs), {
          ...limits,
          inline: true,
          define: NFS_PROBE_FUNCTION,
          lane: `nfs ${mountpoint}`,
        })
      : transport.exec(nfsProbeArgv(mountpoint, probeTimeoutMs), limits);
    this.running = run
      .then(async (r) => {
        const parsed = parseNfsProbe(r.stdout);
        store
          .getState()
          .setNfsProbe(
            mountId,
            parsed.ok
              ? parsed.value
              : { exitCode: 1, elapsedMs: 0, error: `probe output unreadable: ${parsed.error.message}` },
            Date.now(),
          );
        // Only a mount that answered stat is written to: a hung one stays HUNG, with no write piling up behind it.
        if (parsed.ok && parsed.value.exitCode === 0) await this.writeCheck();
      })
      .catch((err: unknown) => {
        const message = (err as Error).message;
        const kind = err instanceof TransportFailure ? err.detail.kind : 'unreachable';
        // The remote `timeout -s KILL` ends a hung stat, so an exec that itself times out on a host that answers its
        // polls means the probe is stuck on the mount. Any other failure says nothing about the mount.
        const hostAnswers = store.getState().hosts[this.o.transport.host]?.status === 'up';
        if (kind === 'timeout' && hostAnswers)
          store
            .getState()
            .setNfsProbe(mountId, { exitCode: 137, elapsedMs: this.o.probeTimeoutMs, error: message }, Date.now());
        else store.getState().nfsProbeFailed(mountId, `probe failed: ${kind}: ${message}`);
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Create and remove a dot-file as the web user, at most every `write.intervalMs`. Never throws. */
  private async writeCheck(): Promise<void> {
    const w = this.o.write;
    const now = Date.now();
    if (!w || now - this.lastWriteAt < w.intervalMs) return;
    this.lastWriteAt = now;
    const { store, mountId } = this.o;
    const token = randomBytes(6).toString('hex');
    const stepMs = NFS_WRITE_TIMEOUT_FACTOR * this.o.probeTimeoutMs;
    try {
      const r = await this.o.transport.exec(nfsWriteArgv(w.dir, stepMs, w.user, token), {
        timeoutMs: NFS_WRITE_STEPS * stepMs + 5000,
        maxOutputBytes: 8192,
      });
      const parsed = parseNfsWrite(r.stdout);
      const at = Date.now();
      if (!parsed.ok)
        store.getState().setNfsWrite(mountId, {
          at,
          ok: null,
          reason: `not checked: write probe output unreadable: ${parsed.error.message}`,
        });
      else store.getState().setNfsWrite(mountId, { at, result: parsed.value, ...judgeNfsWrite(parsed.value, w.user) });
    } catch (err) {
      const kind = err instanceof TransportFailure ? err.detail.kind : 'unreachable';
      store
        .getState()
        .setNfsWrite(mountId, { at: Date.now(), ok: null, reason: `not checked: ${kind}: ${(err as Error).message}` });
    }
  }
}
