import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeldTransport } from '../../test/support/held-transport.js';
import { parseConfigText } from '../config/load-config.js';
import { createLvsStore } from '../store/lvs-store.js';
import { clusterInfos, planHost } from './host-plan.js';
import { HostPoller } from './host-poller.js';

function setup(isDirector = false, keepalived = false, firstPollDelayMs?: number, phaseMs?: number) {
  const director = {
    host: isDirector ? 'd1' : 'rs',
    ...(keepalived ? { keepalived: { instances: ['VI_1'], pidFile: '/nonexistent/keepalived.pid' } } : {}),
  };
  // With keepalived, d1 is one of a pair (d2 its peer): its poll then reads the connection sync too.
  const peer = { host: 'd2', keepalived: { instances: ['VI_1'], pidFile: '/nonexistent/keepalived.pid' } };
  const config = parseConfigText(
    JSON.stringify({
      hosts: { d1: {}, d2: {}, rs: {} },
      clusters: [{ name: 'c', mode: 'nat', directors: keepalived ? [director, peer] : [director] }],
    }),
    'test.json',
  );
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: ['d1'],
    pollIntervalMs: 1000,
    readOnly: false,
  });
  const transport = new HeldTransport('d1');
  const poller = new HostPoller({
    host: 'd1',
    transport,
    plan: planHost(config, 'd1'),
    store,
    intervalMs: 1000,
    commandTimeoutMs: 5000,
    backoffMaxMs: 8000,
    ...(firstPollDelayMs === undefined ? {} : { firstPollDelayMs }),
    ...(phaseMs === undefined ? {} : { phaseMs }),
  });
  return { store, transport, poller, config };
}

describe('HostPoller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls at once, then every interval, and stores what it read', async () => {
    const { store, transport, poller } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.calls).toBe(1);
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    const host = store.getState().hosts.d1!;
    expect(host.status).toBe('up');
    expect(host.info?.memTotalKb).toBeGreaterThan(0);
    expect(host.readAt).toBe(Date.now());
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.calls).toBe(2);
    transport.release();
    await poller.stop();
  });

  it('starts at its share of the interval, then polls an interval apart from it', async () => {
    const { transport, poller } = setup(false, false, 250);
    /** How many polls have started `ms` from now; the one running, if any, is answered first. */
    const startedAfter = async (ms: number) => {
      if (transport.pending.length > 0) transport.release();
      await vi.advanceTimersByTimeAsync(ms);
      return transport.calls;
    };
    poller.start();
    expect([await startedAfter(249), await startedAfter(1)]).toEqual([0, 1]);
    expect([await startedAfter(999), await startedAfter(1)]).toEqual([1, 2]);
    transport.release();
    await poller.stop();
  });

  it('polls on the clock grid of its phase after the first poll: two pollers started apart poll at the same moments', async () => {
    vi.setSystemTime(5_000_000_000);
    /** The clock (ms into the second, as the grid is 1000 ms) of each poll a poller starts. */
    const watch = (transport: ReturnType<typeof setup>['transport']) => {
      const at: number[] = [];
      const exec = transport.exec.bind(transport);
      transport.exec = (...args: Parameters<typeof exec>) => (at.push(Date.now() % 1000), exec(...args));
      return at;
    };
    const a = setup(false, false, 0, 250);
    const b = setup(false, false, 0, 250);
    const aAt = watch(a.transport);
    const bAt = watch(b.transport);
    a.poller.start();
    await vi.advanceTimersByTimeAsync(430);
    b.poller.start();
    const answer = (t: ReturnType<typeof setup>['transport']) => t.pending.length > 0 && t.release();
    for (let i = 0; i < 12; i++) {
      answer(a.transport);
      answer(b.transport);
      // Timers fire late on a busy machine: the grid holds anyway.
      await vi.advanceTimersByTimeAsync(i % 3 === 0 ? 313 : 290);
    }
    // Each polls first when started, then only at 250 ms past the second.
    expect(aAt[0]).toBe(0);
    expect(bAt[0]).toBe(430);
    expect(aAt.slice(1).length).toBeGreaterThanOrEqual(2);
    expect(new Set([...aAt.slice(1), ...bAt.slice(1)])).toEqual(new Set([250]));
    answer(a.transport);
    answer(b.transport);
    await Promise.all([a.poller.stop(), b.poller.stop()]);
  });

  it('skips a tick while the previous poll is still running', async () => {
    const { store, transport, poller } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(transport.calls).toBe(1);
    expect(store.getState().hosts.d1!.skippedTicks).toBe(3);
    transport.release();
    // The poll took 3 s: the next waits until 5 s after it began (below), and is not counted as skipped meanwhile.
    await vi.advanceTimersByTimeAsync(2000);
    expect(transport.calls).toBe(2);
    expect(store.getState().hosts.d1!.skippedTicks).toBe(3);
    transport.release();
    await poller.stop();
  });

  it('spaces the polls of a host whose poll outlasts the interval: a pause of at least the overrun before the next', async () => {
    const { store, transport, poller } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    const began = Date.now();
    await vi.advanceTimersByTimeAsync(3000);
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().hosts.d1!.status).toBe('up');
    // 3 s against a 1 s interval: a 2 s pause, the next at 5 s.
    await vi.advanceTimersByTimeAsync(began + 5000 - Date.now() - 1);
    expect(transport.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.calls).toBe(2);
    // A poll that fits in the interval (0.8 of it) keeps the schedule.
    await vi.advanceTimersByTimeAsync(800);
    transport.release();
    await vi.advanceTimersByTimeAsync(199);
    expect(transport.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.calls).toBe(3);
    transport.release();
    await poller.stop();
  });

  it('marks the host down with the error kind, backs off, and recovers', async () => {
    const { store, transport, poller } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    transport.fail({ kind: 'unreachable', operation: 'connect', message: 'connect ECONNREFUSED 127.0.0.1:2204' });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().hosts.d1).toMatchObject({
      status: 'down',
      error: { kind: 'unreachable', message: expect.stringContaining('ECONNREFUSED') },
    });
    const attemptTimes: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      const before = transport.calls;
      while (transport.calls === before) await vi.advanceTimersByTimeAsync(1000);
      attemptTimes.push(Date.now() - started);
      transport.fail({ kind: 'timeout', operation: 'connect', message: 'timed out' });
      await vi.advanceTimersByTimeAsync(0);
    }
    // Gaps grow: 1 s, 2 s, 4 s, 8 s (capped).
    const gaps = attemptTimes.map((t, i) => t - (attemptTimes[i - 1] ?? 0));
    expect(gaps).toEqual([1000, 2000, 4000, 8000]);
    expect(store.getState().hosts.d1!.error?.kind).toBe('timeout');
    while (transport.pending.length === 0) await vi.advanceTimersByTimeAsync(1000);
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().hosts.d1).toMatchObject({ status: 'up' });
    expect(store.getState().hosts.d1!.error).toBeUndefined();
    await poller.stop();
  });

  it('reports ip_vs as not loaded on a host without the module, without running ipvsadm', async () => {
    const { store, transport, poller } = setup(true);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    const script = transport.pending[0]!.argv[2]!;
    expect(script).toContain('if test -e /proc/net/ip_vs');
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    const reading = store.getState().ipvs.d1?.reading;
    // This test machine's kernel has no ip_vs; on one that has it the reading is ok or an ipvsadm error.
    expect(reading?.status).toBe(existsSync('/proc/net/ip_vs') ? expect.any(String) : 'not-loaded');
    await poller.stop();
  });

  it('does not poll while paused', async () => {
    const { store, transport, poller } = setup();
    store.getState().setPaused(true);
    poller.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(transport.calls).toBe(0);
    store.getState().setPaused(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.calls).toBe(1);
    transport.release();
    await poller.stop();
  });

  it('uses each part as it arrives; a late part marks its pane stale and the host slow, never down', async () => {
    const { store, transport, poller } = setup(true, true);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    // The host and IPVS parts arrive; keepalived's dump is still running (a hung keepalived).
    transport.releaseUntil('ipvs-proc-stats');
    await vi.advanceTimersByTimeAsync(0);
    const firstRead = Date.now();
    let d1 = store.getState().hosts.d1!;
    expect(d1.status).toBe('up');
    expect(d1.parts?.ipvs).toEqual({ pane: 'ipvs', readAt: firstRead });
    expect(store.getState().ipvs.d1?.readAt).toBe(firstRead);
    expect(store.getState().keepalived.d1).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    d1 = store.getState().hosts.d1!;
    expect(d1.status).toBe('slow');
    expect(d1.parts?.keepalived).toEqual({ pane: 'keepalived', lateSince: firstRead + 1000 });
    expect(d1.parts?.ipvs?.lateSince).toBeUndefined();
    // The command then times out: only the missing part fails, with the reason; the host is not down.
    transport.fail({ kind: 'timeout', operation: 'exec', message: 'command did not finish within 5000 ms' });
    await vi.advanceTimersByTimeAsync(0);
    d1 = store.getState().hosts.d1!;
    expect(d1.status).toBe('slow');
    expect(d1.error).toBeUndefined();
    expect(d1.parts?.keepalived?.error).toMatch(/^timeout: command did not finish/);
    expect(d1.parts?.ipvs).toEqual({ pane: 'ipvs', readAt: firstRead });
    // The next poll delivers everything: the host is up and every part fresh again.
    while (transport.pending.length === 0) await vi.advanceTimersByTimeAsync(100);
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    d1 = store.getState().hosts.d1!;
    expect(d1.status).toBe('up');
    expect(d1.parts?.keepalived).toEqual({ pane: 'keepalived', readAt: Date.now() });
    expect(store.getState().keepalived.d1?.reading.status).toBe('not-running');
    await poller.stop();
  });

  it('calls a part late only once its data is older than its allowance and one interval more', async () => {
    const { store, transport, poller } = setup(true, true);
    const start = Date.now();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    // The first poll: host and IPVS at once, keepalived 700 ms later (late in its interval, but in it).
    transport.releaseUntil('ipvs-proc-stats');
    await vi.advanceTimersByTimeAsync(700);
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().hosts.d1!.parts?.keepalived).toEqual({ pane: 'keepalived', readAt: start + 700 });
    // The next poll, at 1000: host and IPVS again, keepalived not yet.
    while (transport.pending.length === 0) await vi.advanceTimersByTimeAsync(100);
    expect(Date.now()).toBe(start + 1000);
    transport.releaseUntil('ipvs-proc-stats');
    // An interval into it, the keepalived data is 1.3 s old: no older than a poll's allowance lets it be.
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.getState().hosts.d1!.status).toBe('up');
    // Two intervals after it was read, it is late.
    await vi.advanceTimersByTimeAsync(699);
    expect(store.getState().hosts.d1!.status).toBe('up');
    await vi.advanceTimersByTimeAsync(1);
    expect(store.getState().hosts.d1!.status).toBe('slow');
    expect(store.getState().hosts.d1!.parts?.keepalived).toEqual({
      pane: 'keepalived',
      readAt: start + 700,
      lateSince: start + 2700,
    });
    transport.release();
    await poller.stop();
  });

  it('calls the connection sync part late only after three intervals: read every 10 s, a late read is no news', async () => {
    const { store, transport, poller, config } = setup(true, true);
    // The section order, from a plan of its own (asking the poller's plan would use up what is due).
    const ids = planHost(config, 'd1')
      .sections()
      .map((x) => x.id);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    // Everything but the sync reads, which come last.
    transport.releaseUntil(ids[ids.indexOf('ipvs-daemon') - 1]!);
    await vi.advanceTimersByTimeAsync(0);
    const firstRead = Date.now();
    await vi.advanceTimersByTimeAsync(2000);
    expect(store.getState().hosts.d1!.status).toBe('up');
    expect(store.getState().hosts.d1!.parts?.sync).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.getState().hosts.d1!.status).toBe('slow');
    expect(store.getState().hosts.d1!.parts?.sync).toEqual({ pane: 'ipvs', lateSince: firstRead + 3000 });
    transport.release();
    await poller.stop();
  });

  it('lands a poll in the store as one write, streamed or not', async () => {
    const { store, transport, poller } = setup(true, true);
    const writes: string[][] = [];
    store.subscribe((next) => writes.push(Object.keys(next.changes ?? {}).sort()));
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().hosts.d1!.status).toBe('up');
    // The first poll also reads the connection sync (daemons and table size); the next, a second later, does not.
    expect(writes).toEqual([['hosts', 'ipvs', 'keepalived', 'sync']]);
    writes.length = 0;
    await vi.advanceTimersByTimeAsync(1000);
    transport.releaseStreamed();
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([['hosts', 'ipvs', 'keepalived']]);
    expect(store.getState().hosts.d1!.readAt).toBe(Date.now());
    await poller.stop();
  });
});
