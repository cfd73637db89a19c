import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import si from 'systeminformation';
import type { LvsStore } from '../store/lvs-store.js';

/** Cumulative CPU time of the whole machine, in any unit: only differences of two readings are used. */
export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/** Cumulative bytes over every interface but loopback. */
export interface NetBytes {
  readonly rx: number;
  readonly tx: number;
}

/**
 * The machine's line of /proc/stat (`cpu  user nice system idle iowait irq softirq steal ...`): idle and iowait are
 * idle, the rest is busy. Undefined when the line is not there or not numbers.
 */
export function cpuTimesFromProcStat(text: string): CpuTimes | undefined {
  const end = text.indexOf('\n');
  const line = end < 0 ? text : text.slice(0, end);
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 5) return undefined;
  let total = 0;
  let idle = 0;
  // guest and guest_nice (fields 9, 10) are already counted in user and nice.
  for (let i = 1; i < Math.min(fields.length, 9); i++) {
    const v = Number(fields[i]);
    if (!Number.isFinite(v) || v < 0) return undefined;
    total += v;
    if (i === 4 || i === 5) idle += v;
  }
  return { busy: total - idle, total };
}

/** CPU times from Node's per-core counters, where there is no /proc/stat. */
function cpuTimesFromOs(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Received and sent bytes summed over the interfaces of /proc/net/dev, loopback left out. */
export function netBytesFromProcNetDev(text: string): NetBytes | undefined {
  let rx = 0;
  let tx = 0;
  let seen = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    // The two header lines have a `|` and no colon-separated counters.
    if (name === '' || name.includes('|')) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes ...
    if (fields.length < 16) return undefined;
    const r = Number(fields[0]);
    const t = Number(fields[8]);
    if (!Number.isFinite(r) || !Number.isFinite(t)) return undefined;
    seen++;
    if (name === 'lo') continue;
    rx += r;
    tx += t;
  }
  return seen > 0 ? { rx, tx } : undefined;
}

interface Reading {
  readonly at: number;
  readonly cpu: CpuTimes;
  readonly net: NetBytes | undefined;
}

/**
 * Samples the machine the console runs on (CPU, memory, network): a saturated jump host makes every remote
 * figure late, so the header shows it. Every read is asynchronous and starts no process: a sampler that forks
 * `sh -c 'cat /proc/stat | grep cpu'` synchronously stalls every keypress behind it on a busy machine.
 */
export class JumpHostSampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private warmup: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private last: Reading | undefined;

  constructor(
    private readonly store: LvsStore,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    // A baseline now and the first rates half a second later, not one interval later.
    void this.sample().then(() => {
      if (this.timer) this.warmup = setTimeout(() => void this.sample(), 500);
    });
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.warmup) clearTimeout(this.warmup);
    this.timer = undefined;
    this.warmup = undefined;
  }

  async sample(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const [stat, dev, mem] = await Promise.all([
        readFile('/proc/stat', 'utf8').catch(() => ''),
        readFile('/proc/net/dev', 'utf8').catch(() => ''),
        si.mem(),
      ]);
      const reading: Reading = {
        at: Date.now(),
        cpu: cpuTimesFromProcStat(stat) ?? cpuTimesFromOs(),
        net: netBytesFromProcNetDev(dev),
      };
      const prev = this.last;
      this.last = reading;
      // Rates need two readings; the first sample only sets the baseline.
      if (!prev) return;
      const dTotal = reading.cpu.total - prev.cpu.total;
      const seconds = (reading.at - prev.at) / 1000;
      const net =
        reading.net && prev.net && seconds > 0 && reading.net.rx >= prev.net.rx && reading.net.tx >= prev.net.tx
          ? {
              rxBytesPerSec: (reading.net.rx - prev.net.rx) / seconds,
              txBytesPerSec: (reading.net.tx - prev.net.tx) / seconds,
            }
          : {};
      this.store.getState().setJumpHost({
        cpuPercent: dTotal > 0 ? ((reading.cpu.busy - prev.cpu.busy) / dTotal) * 100 : 0,
        memUsedPercent: mem.total > 0 ? ((mem.total - mem.available) / mem.total) * 100 : 0,
        ...net,
        readAt: reading.at,
      });
    } catch {
      // The jump host pane is informative only; a failed sample leaves the last one.
    } finally {
      this.running = false;
    }
  }
}
