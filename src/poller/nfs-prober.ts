import { nfsProbeArgv, parseNfsProbe } from '../../collectors/nfs.js';
import type { LvsStore } from '../store/lvs-store.js';
import type { Transport } from '../transport/transport.js';

export interface NfsProberOptions {
  readonly mountId: string;
  readonly mountpoint: string;
  readonly transport: Transport;
  readonly store: LvsStore;
  readonly intervalMs: number;
  readonly probeTimeoutMs: number;
}

/**
 * Probes one NFS mount on its own loop, apart from the host's main poll, so a hung mount never delays IPVS data.
 * At most one probe is outstanding; the remote `timeout -s KILL` ends a hung stat, and the exec timeout backs it up.
 */
export class NfsProber {
  private readonly o: NfsProberOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;

  constructor(options: NfsProberOptions) {
    this.o = options;
  }

  start(): void {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.o.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  probe(): Promise<void> {
    if (this.running || this.o.store.getState().paused) return this.running ?? Promise.resolve();
    const { store, mountId } = this.o;
    store.getState().nfsProbeStarted(mountId);
    this.running = this.o.transport
      .exec(nfsProbeArgv(this.o.mountpoint, this.o.probeTimeoutMs), {
        timeoutMs: this.o.probeTimeoutMs + 5000,
        maxOutputBytes: 4096,
      })
      .then((r) => {
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
      })
      .catch((err: unknown) => {
        const message = (err as Error).message;
        const timedOut = /timeout|did not finish/i.test(message);
        store
          .getState()
          .setNfsProbe(
            mountId,
            { exitCode: timedOut ? 137 : 1, elapsedMs: this.o.probeTimeoutMs, error: message },
            Date.now(),
          );
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
