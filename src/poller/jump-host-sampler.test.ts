import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { until } from '../../test/support/until.js';
import { createLvsStore } from '../store/lvs-store.js';
import { cpuTimesFromProcStat, JumpHostSampler, netBytesFromProcNetDev } from './jump-host-sampler.js';

// This machine's own /proc, read as the sampler reads it: the real format of the kernel the tests run on.
const stat = () => readFileSync('/proc/stat', 'utf8');
const netDev = () => readFileSync('/proc/net/dev', 'utf8');

describe('jump host counters', () => {
  it('reads the machine line of /proc/stat, busy never more than total, both growing', async () => {
    const a = cpuTimesFromProcStat(stat())!;
    // Burn CPU until the kernel's tick counters move (they count in 10 ms ticks), bounded.
    let b = cpuTimesFromProcStat(stat())!;
    for (let round = 0; round < 500 && (b.busy <= a.busy || b.total <= a.total); round++) {
      for (let i = 0; i < 2e5; i++) Math.sqrt(i);
      b = cpuTimesFromProcStat(stat())!;
    }
    expect(a.busy).toBeGreaterThan(0);
    expect(a.busy).toBeLessThanOrEqual(a.total);
    expect(b.total).toBeGreaterThan(a.total);
    expect(b.busy).toBeGreaterThan(a.busy);
  });

  it('refuses a /proc/stat it cannot read: another first line, cut short, not numbers', () => {
    const text = stat();
    const first = text.slice(0, text.indexOf('\n'));
    expect(cpuTimesFromProcStat(text.slice(text.indexOf('\n') + 1))).toBeUndefined(); // starts at cpu0
    expect(cpuTimesFromProcStat(first.split(/\s+/).slice(0, 3).join(' '))).toBeUndefined();
    expect(cpuTimesFromProcStat(first.replace(/\d+/, 'x'))).toBeUndefined();
    expect(cpuTimesFromProcStat(first.replace(/ \d+/, ' -5'))).toBeUndefined();
    expect(cpuTimesFromProcStat('')).toBeUndefined();
  });

  it('sums /proc/net/dev over every interface but loopback', () => {
    const text = netDev();
    const bytes = netBytesFromProcNetDev(text)!;
    let rx = 0;
    let tx = 0;
    for (const line of text.split('\n').slice(2)) {
      const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
      if (!m || m[1] === 'lo') continue;
      const f = m[2]!.trim().split(/\s+/).map(Number);
      rx += f[0]!;
      tx += f[8]!;
    }
    expect(bytes).toEqual({ rx, tx });
  });

  it('refuses a /proc/net/dev line cut short or with words for counters', () => {
    const lines = netDev().split('\n');
    const iface = lines.findIndex((l, i) => i >= 2 && l.includes(':'));
    const cut = [...lines];
    cut[iface] = cut[iface]!.slice(0, cut[iface]!.indexOf(':') + 12);
    expect(netBytesFromProcNetDev(cut.join('\n'))).toBeUndefined();
    const words = [...lines];
    words[iface] = words[iface]!.replace(/:\s*\d+/, ': many');
    expect(netBytesFromProcNetDev(words.join('\n'))).toBeUndefined();
    expect(netBytesFromProcNetDev('')).toBeUndefined();
  });
});

describe('JumpHostSampler', () => {
  // The sampler's timers are fake; its reads of /proc are real, waited for on real turns of the event loop.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('puts this machine’s CPU, memory and network rates in the store half a second after start, then stops', async () => {
    const store = createLvsStore({ clusters: [], hosts: [], pollIntervalMs: 1000, readOnly: true });
    const sampler = new JumpHostSampler(store, 60_000);
    const started = Date.now();
    sampler.start();
    try {
      // The baseline is read; the interval and the half-second warm-up are then both pending.
      await until(() => vi.getTimerCount() === 2, 'the baseline sample', 3000);
      expect(store.getState().jumpHost).toBeUndefined();
      // The first rates come half a second after start, not one (here 60 s) interval later.
      await vi.advanceTimersByTimeAsync(500);
      await until(() => store.getState().jumpHost !== undefined, 'the first rates', 3000);
    } finally {
      sampler.stop();
    }
    const j = store.getState().jumpHost!;
    expect(j.readAt - started).toBe(500);
    expect(j.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(j.cpuPercent).toBeLessThanOrEqual(100);
    expect(j.memUsedPercent).toBeGreaterThan(0);
    expect(j.memUsedPercent).toBeLessThan(100);
    expect(j.rxBytesPerSec).toBeGreaterThanOrEqual(0);
    // Stopped: no timer is left to sample again, however long the clock runs.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(180_000);
    expect(store.getState().jumpHost!.readAt).toBe(j.readAt);
  });

  it('stopped before the baseline is read, it never samples again', async () => {
    const store = createLvsStore({ clusters: [], hosts: [], pollIntervalMs: 1000, readOnly: true });
    const sampler = new JumpHostSampler(store, 60_000);
    let baseline = false;
    const sample = sampler.sample.bind(sampler);
    vi.spyOn(sampler, 'sample').mockImplementation(() => sample().finally(() => (baseline = true)));
    sampler.start();
    sampler.stop();
    // The baseline's read ends after stop: it must not start the warm-up.
    await until(() => baseline, 'the baseline sample');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(180_000);
    expect(store.getState().jumpHost).toBeUndefined();
  });
});
