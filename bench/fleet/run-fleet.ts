/**
 * One fleet run: N hosts through the private sshd, polled by createFleet (the console's poller and store) for a
 * bounded time, headless or with the real App rendering into an 80x24 terminal that counts frames.
 *
 *   node dist/bench/fleet/run-fleet.js --hosts 300 --interval 2000 --duration 60 [--render] [--out file.json]
 *
 * Reports console CPU per completed host poll, CPU % of one core, RSS, event-loop delay, per-host staleness
 * (now - readAt, sampled every 100 ms once every host is up) and the time until every host is up.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createElement } from 'react';
import { StoreContext } from '../../components/store-context.js';
import { INK_MAX_FPS } from '../../components/use-store-frames.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/poller/fleet.js';
import { CountingStdout, SilentStdin } from './fake-terminal.js';
import { capturedTable, writeFleetConfig } from './fleet-config.js';
import { machineCpu, treeCpuMs } from './process-tree-cpu.js';
import { startFleetSshd } from './sshd-harness.js';

const SAMPLE_MS = 100;

const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '300' },
    interval: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '60' },
    render: { type: 'boolean', default: false },
    out: { type: 'string' },
    'max-wait': { type: 'string', default: '120' },
  },
});
const HOSTS = Number(args.hosts);
const INTERVAL_MS = Number(args.interval);
const DURATION_MS = Number(args.duration) * 1000;
/** However slow the machine, a run never waits longer than this for the fleet to come up. */
const MAX_WAIT_UP_MS = Number(args['max-wait']) * 1000;

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
function quantiles(samples: number[] | Float64Array) {
  const s = Float64Array.from(samples).sort();
  const pick = (q: number) => (s.length === 0 ? NaN : round(s[Math.min(s.length - 1, Math.floor(q * s.length))]!, 0));
  return { n: s.length, p50: pick(0.5), p90: pick(0.9), p99: pick(0.99), max: pick(1) };
}
const mb = (bytes: number) => round(bytes / 1048576, 0);

async function main() {
  // Ink decides at import whether it is in CI (last frame only); the console runs with CI unset.
  if (args.render && process.env.CI) throw new Error('run with CI unset (or CI=false) so Ink draws every frame');
  // React reads NODE_ENV when it loads; the console (src/main.ts) sets production before importing anything.
  if (args.render && process.env.NODE_ENV !== 'production')
    throw new Error('run with NODE_ENV=production, as the console does, or React runs its development build');
  const sshd = await startFleetSshd(capturedTable());
  const stopAll: (() => Promise<void>)[] = [() => sshd.stop()];
  const onSignal = () => process.exit(130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const configFile = writeFleetConfig(sshd, { hosts: HOSTS, intervalMs: INTERVAL_MS });
    const resolved = await loadConfig(configFile);
    const fleet = createFleet(resolved, { writeEventLog: true });
    stopAll.unshift(() => fleet.stop());
    const hostNames = Object.keys(fleet.store.getState().hosts);
    let stdout: CountingStdout | undefined;
    let unmount: (() => void) | undefined;
    if (args.render) {
      const { App } = await import('../../components/App.js');
      const { render } = await import('ink');
      stdout = new CountingStdout();
      const app = render(
        createElement(
          StoreContext.Provider,
          { value: fleet.store },
          createElement(App, {
            onQuit: () => undefined,
            onRefresh: () => void fleet.refreshAll(),
            onTogglePause: () => undefined,
          }),
        ),
        {
          stdout: stdout as unknown as NodeJS.WriteStream,
          stdin: new SilentStdin() as unknown as NodeJS.ReadStream,
          stderr: new CountingStdout() as unknown as NodeJS.WriteStream,
          exitOnCtrlC: false,
          patchConsole: false,
          maxFps: INK_MAX_FPS,
        },
      );
      unmount = () => app.unmount();
    }

    const loop = monitorEventLoopDelay({ resolution: 10 });
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    fleet.start();

    // Phase 1: until every host has data (bounded).
    let allUpAtMs: number | undefined;
    let upCount = 0;
    while (performance.now() - start < MAX_WAIT_UP_MS) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      const hosts = fleet.store.getState().hosts;
      upCount = hostNames.filter((h) => hosts[h]?.readAt !== undefined).length;
      if (upCount === hostNames.length) {
        allUpAtMs = performance.now() - start;
        break;
      }
    }
    const startupCpu = process.cpuUsage(cpuStart);

    // Phase 2: steady state, a fixed window with every host polled on its interval.
    loop.enable();
    const lastRead = new Map<string, number | undefined>();
    for (const h of hostNames) lastRead.set(h, fleet.store.getState().hosts[h]?.readAt);
    const staleness: number[] = [];
    let polls = 0;
    let rssMax = 0;
    let downSamples = 0;
    const frames0 = stdout?.writes ?? 0;
    const bytes0 = stdout?.bytes ?? 0;
    const remote0 = treeCpuMs(sshd.pid);
    const machine0 = machineCpu();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() - t0 < DURATION_MS) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      const now = Date.now();
      const hosts = fleet.store.getState().hosts;
      for (const h of hostNames) {
        const rt = hosts[h];
        const readAt = rt?.readAt;
        if (readAt !== lastRead.get(h)) {
          polls += 1;
          lastRead.set(h, readAt);
        }
        if (readAt !== undefined) staleness.push(now - readAt);
        if (rt?.status === 'down') downSamples += 1;
      }
      rssMax = Math.max(rssMax, process.memoryUsage.rss());
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const remoteMs = treeCpuMs(sshd.pid) - remote0;
    const machine1 = machineCpu();
    loop.disable();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const mem = process.memoryUsage();
    // The remote side must have answered like a director: every host's IPVS table parsed from the captured text.
    const ipvs = Object.values(fleet.store.getState().ipvs);
    const ipvsOk = ipvs.filter((d) => d.reading.status === 'ok').length;
    const firstProblem = ipvs.find((d) => d.reading.status !== 'ok')?.reading;
    const statusAtEnd: Record<string, number> = {};
    const errors: Record<string, { count: number; example: string }> = {};
    for (const h of Object.values(fleet.store.getState().hosts)) {
      statusAtEnd[h.status] = (statusAtEnd[h.status] ?? 0) + 1;
      if (h.error) {
        const e = (errors[h.error.kind] ??= { count: 0, example: h.error.message });
        e.count += 1;
      }
    }
    const result = {
      hosts: HOSTS,
      clusters: Math.ceil(HOSTS / 2),
      intervalMs: INTERVAL_MS,
      render: args.render,
      table: 'test/fixtures/healthy/nat-director (2 services + 1 fwmark, 6 real servers)',
      ipvsTablesParsed: ipvsOk,
      ...(firstProblem ? { ipvsProblem: firstProblem } : {}),
      startup: {
        allUpMs: allUpAtMs === undefined ? null : round(allUpAtMs, 0),
        upWhenGivenUp: allUpAtMs === undefined ? upCount : undefined,
        cpuMs: round((startupCpu.user + startupCpu.system) / 1000, 0),
      },
      steady: {
        windowMs: round(wallMs, 0),
        hostPolls: polls,
        expectedHostPolls: Math.floor((HOSTS * wallMs) / INTERVAL_MS),
        cpuMs: round(cpuMs, 0),
        cpuMsPerHostPoll: polls > 0 ? round(cpuMs / polls, 2) : null,
        cpuPercentOfOneCore: round((cpuMs / wallMs) * 100, 1),
        userMs: round(cpu.user / 1000, 0),
        systemMs: round(cpu.system / 1000, 0),
        stalenessMs: quantiles(staleness),
        downHostSamples: downSamples,
        statusAtEnd,
        errorsAtEnd: errors,
        // The 300 simulated hosts run on this machine too: what their sshd, shells and cats used meanwhile.
        remoteSideCpuPercentOfOneCore: round((remoteMs / wallMs) * 100, 1),
        machineBusyPercentOfAllCores: round(
          ((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total)) * 100,
          1,
        ),
        eventLoopDelayMs: {
          p50: round(loop.percentile(50) / 1e6, 1),
          p99: round(loop.percentile(99) / 1e6, 1),
          max: round(loop.max / 1e6, 1),
        },
        ...(stdout
          ? {
              stdoutWrites: stdout.writes - frames0,
              stdoutWritesPerSec: round(((stdout.writes - frames0) * 1000) / wallMs, 1),
              bytesWritten: stdout.bytes - bytes0,
            }
          : {}),
      },
      memoryMb: { rssEnd: mb(mem.rss), rssMax: mb(rssMax), heapUsed: mb(mem.heapUsed), external: mb(mem.external) },
    };
    unmount?.();
    const text = `${JSON.stringify(result, null, 2)}\n`;
    if (args.out) writeFileSync(args.out, text);
    process.stdout.write(text);
  } finally {
    for (const stop of stopAll) await stop().catch(() => undefined);
  }
}

await main();
process.exit(0);
