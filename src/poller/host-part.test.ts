import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SectionOutput } from '../../collectors/section.js';
import { fixture } from '../../test/support/fixture-store.js';
import { createLvsStore } from '../store/lvs-store.js';
import { buildSectionScript, splitSectionOutput } from '../transport/section-script.js';
import { MODULES_READ_MS, OSRELEASE_READ_MS, hostPart } from './host-part.js';
import { CLOCK_SCRIPT } from './poll-parts.js';

/** Real captures: this machine's /proc files and the lab NAT director's modules (with ip_vs and its schedulers). */
const CAPTURED: Record<string, string> = {
  loadavg: 'local/loadavg.txt',
  uptime: 'local/uptime.txt',
  meminfo: 'local/meminfo.txt',
  osrelease: 'local/osrelease.txt',
  'ip-addr': 'local/ip-addr.json',
  route: 'local/route.txt',
  'sysctl:net.ipv4.ip_forward': 'local/ip_forward.txt',
  'sysctl:net.ipv4.conf.all.arp_ignore': 'local/arp_ignore.txt',
  modules: 'healthy/nat-director/proc-modules-ip_vs.txt',
};

/** What a host would answer to `sections`: each captured one, exit 0. */
const answer = (sections: readonly { id: string }[]) =>
  new Map<string, SectionOutput>(
    sections
      .filter((s) => CAPTURED[s.id])
      .map((s) => [s.id, { id: s.id, stdout: fixture(CAPTURED[s.id]!), stderr: '', exitCode: 0 }]),
  );

describe('the host part of a poll', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-12-03T12:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('reads routes, sysctls and modules now and then, the kernel release seldom, and keeps what they said between', async () => {
    const store = createLvsStore({ clusters: [], hosts: ['h'], pollIntervalMs: 2000, readOnly: true });
    const part = hostPart('h');
    const ids = () => part.sections().map((s) => s.id);
    const poll = (sections: readonly { id: string }[]) => part.apply(answer(sections), store.getState(), Date.now());

    const first = part.sections();
    expect(first.map((s) => s.id)).toEqual(expect.arrayContaining(['osrelease', 'route', 'modules', 'ip-addr']));
    expect(first.filter((s) => s.id.startsWith('sysctl:'))).toHaveLength(6);
    poll(first);
    const read = store.getState().hosts.h!;
    expect(read.info?.kernel).toBe('6.18.44-fc-v669');
    expect(read.net?.sysctls).toEqual({ 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.all.arp_ignore': '0' });
    expect(read.net?.defaultGateway).toBe('192.0.2.1');
    expect(read.net?.ipvsLoaded).toBe(true);
    expect(read.net?.loadedSchedulers.length).toBeGreaterThan(0);

    // The next polls, inside MODULES_READ_MS: load, uptime, memory and addresses only; the rest as last read.
    await vi.advanceTimersByTimeAsync(2000);
    const next = part.sections();
    expect(next.map((s) => s.id)).toEqual(['loadavg', 'uptime', 'meminfo', 'ip-addr']);
    poll(next);
    const kept = store.getState().hosts.h!;
    expect(kept.info?.kernel).toBe(read.info?.kernel);
    expect(kept.info?.load1).toBe(read.info?.load1);
    expect(kept.net?.sysctls).toEqual(read.net?.sysctls);
    expect(kept.net?.defaultGateway).toBe(read.net?.defaultGateway);
    expect(kept.net?.loadedSchedulers).toEqual(read.net?.loadedSchedulers);

    // Past MODULES_READ_MS the slow sections are read again; the release only past OSRELEASE_READ_MS.
    await vi.advanceTimersByTimeAsync(MODULES_READ_MS);
    const due = ids();
    expect(due).toEqual(expect.arrayContaining(['route', 'modules', 'sysctl:net.ipv4.ip_forward']));
    expect(due).not.toContain('osrelease');
    // Read by that poll: not due at the one after it.
    expect(ids()).not.toContain('route');
    await vi.advanceTimersByTimeAsync(OSRELEASE_READ_MS);
    expect(ids()).toContain('osrelease');
  });

  it('reads them again at the next poll until one has read them', () => {
    const store = createLvsStore({ clusters: [], hosts: ['h'], pollIntervalMs: 2000, readOnly: true });
    const part = hostPart('h');
    const first = part.sections();
    // The first poll failed: nothing was read.
    part.apply(new Map(), store.getState(), Date.now());
    expect(part.sections().map((s) => s.id)).toEqual(first.map((s) => s.id));
  });

  it('reads the slow sections again when a poll read them but its addresses failed', async () => {
    const store = createLvsStore({ clusters: [], hosts: ['h'], pollIntervalMs: 2000, readOnly: true });
    const part = hostPart('h');
    const poll = (out: Map<string, SectionOutput>) => part.apply(out, store.getState(), Date.now());
    poll(answer(part.sections()));
    await vi.advanceTimersByTimeAsync(MODULES_READ_MS);
    const due = part.sections();
    expect(due.map((s) => s.id)).toContain('modules');
    // `ip -j addr` failed in that poll: the routes, sysctls and modules it read were not stored.
    const broken = answer(due);
    broken.set('ip-addr', { id: 'ip-addr', stdout: '', stderr: 'Cannot open netlink socket', exitCode: 1 });
    poll(broken);
    expect(part.sections().map((s) => s.id)).toContain('modules');
    poll(answer(part.sections()));
    expect(part.sections().map((s) => s.id)).not.toContain('modules');
  });
});

describe("the host's clock", () => {
  it.each(['sh', 'bash'])('reads seconds since the epoch under %s, with no process under bash', (shell) => {
    const script = buildSectionScript([{ id: 'clock', script: CLOCK_SCRIPT, args: [], inline: true }], 'n0nce');
    const before = Date.now() / 1000;
    const out = splitSectionOutput(execFileSync(shell, ['-c', script], { encoding: 'utf8' }), 'n0nce').get('clock');
    const after = Date.now() / 1000;
    expect(out?.exitCode).toBe(0);
    expect(out?.stdout).toMatch(/^\d{10}\.\d{6,9}\n$/);
    expect(Number(out?.stdout)).toBeGreaterThanOrEqual(Math.floor(before));
    expect(Number(out?.stdout)).toBeLessThanOrEqual(after + 1);
  });
});
