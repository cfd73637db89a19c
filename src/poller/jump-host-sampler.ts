import si from 'systeminformation';
import type { LvsStore } from '../store/lvs-store.js';

/**
 * Samples the machine the console runs on (CPU, memory, network): a saturated jump host makes every remote
 * figure late, so the header shows it.
 */
export class JumpHostSampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(
    private readonly store: LvsStore,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async sample(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const [load, mem, net] = await Promise.all([si.currentLoad(), si.mem(), si.networkStats('*').catch(() => [])]);
      const rx = net.reduce((a, n) => a + (n.rx_sec ?? 0), 0);
      const tx = net.reduce((a, n) => a + (n.tx_sec ?? 0), 0);
      this.store.getState().setJumpHost({
        cpuPercent: load.currentLoad,
        memUsedPercent: mem.total > 0 ? ((mem.total - mem.available) / mem.total) * 100 : 0,
        ...(net.length > 0 ? { rxBytesPerSec: rx, txBytesPerSec: tx } : {}),
        readAt: Date.now(),
      });
    } catch {
      // The jump host pane is informative only; a failed sample leaves the last one.
    } finally {
      this.running = false;
    }
  }
}
