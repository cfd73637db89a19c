import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interpretHostInfo, parseHostProc } from './host-info.js';
import { interpretNetState, parseIpAddr } from './net-state.js';
import { judgeNfsMount, parseMountstats, parseNfsProbe, parseProcMounts } from './nfs.js';
import { parseHeartbeat, parseRsyncDryRun } from './replication.js';

const local = (name: string) => readFileSync(new URL(`../test/fixtures/local/${name}`, import.meta.url), 'utf8');
const out = (id: string, stdout: string, exitCode = 0) => [id, { id, stdout, stderr: '', exitCode }] as const;

describe('host info', () => {
  it('reads load, uptime and memory from the real /proc files', () => {
    const r = parseHostProc(local('loadavg.txt') + local('uptime.txt') + local('meminfo.txt'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.memTotalKb).toBeGreaterThan(r.value.memAvailableKb);
    expect(r.value.uptimeSec).toBeGreaterThan(0);
    expect(parseHostProc('garbage\n')).toMatchObject({ ok: false, error: { line: 1 } });
    const files = ['loadavg', 'uptime', 'meminfo', 'osrelease'].map((f) => out(f, local(`${f}.txt`)));
    const info = interpretHostInfo(new Map(files));
    expect(info.ok && info.value.kernel).toBe(local('osrelease.txt').trim());
    expect(info.ok && info.value.memTotalKb).toBeGreaterThan(0);
  });
});

describe('network state', () => {
  it('reads addresses, the default gateway and sysctls', () => {
    const addrs = parseIpAddr(local('ip-addr.json'));
    expect(addrs.ok && addrs.value.find((a) => a.ifname === 'lo' && a.family === 'inet')?.address).toBe('127.0.0.1');
    const net = interpretNetState(
      new Map([
        out('ip-addr', local('ip-addr.json')),
        out('route', local('route.txt')),
        out('sysctl:net.ipv4.ip_forward', local('ip_forward.txt')),
        out('sysctl:net.ipv4.conf.all.arp_ignore', local('arp_ignore.txt')),
        out('sysctl:net.ipv4.vs.expire_quiescent_template', '', 1),
        out('modules', '', 1),
      ]),
    );
    expect(net.ok && net.value.sysctls).toEqual({
      'net.ipv4.ip_forward': local('ip_forward.txt').trim(),
      'net.ipv4.conf.all.arp_ignore': local('arp_ignore.txt').trim(),
    });
    expect(net.ok && net.value).toMatchObject({ ipvsLoaded: false, loadedSchedulers: [] });
    // The same gateway as `ip -j route show default` printed at capture time.
    const ip = JSON.parse(local('ip-route-default.json')) as { gateway: string }[];
    expect(net.ok && net.value.defaultGateway).toBe(ip[0]!.gateway);
  });

  it('reports ip_vs and its schedulers from /proc/modules (lab director)', () => {
    const modules = readFileSync(
      new URL('../test/fixtures/healthy/nat-director/proc-modules-ip_vs.txt', import.meta.url),
      'utf8',
    );
    const net = interpretNetState(new Map([out('ip-addr', local('ip-addr.json')), out('modules', modules)]));
    expect(net.ok && net.value).toMatchObject({ ipvsLoaded: true, loadedSchedulers: ['mh', 'rr', 'sh', 'wlc'] });
  });

  it('gives typed errors for garbage', () => {
    expect(parseIpAddr('not json')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(interpretNetState(new Map([out('ip-addr', '', 1)])).ok).toBe(false);
  });
});

describe('replication', () => {
  it('counts pending changes in an rsync dry run, and none when in sync', () => {
    expect(parseRsyncDryRun(local('rsync-dry-pending.txt'))).toEqual({
      ok: true,
      value: { pendingChanges: 5, pendingBytes: 29 },
    });
    expect(parseRsyncDryRun(local('rsync-dry-insync.txt'))).toEqual({
      ok: true,
      value: { pendingChanges: 0, pendingBytes: 0 },
    });
    expect(parseRsyncDryRun('rsync: failed to connect to 192.168.60.99: Connection refused (111)').ok).toBe(false);
  });

  it('reads a heartbeat and rejects anything else', () => {
    const hb = parseHeartbeat(local('heartbeat.txt'));
    expect(hb.ok && hb.value).toBeGreaterThan(1.7e9);
    expect(parseHeartbeat('').ok).toBe(false);
    expect(parseHeartbeat('yesterday').ok).toBe(false);
  });
});

describe('NFS', () => {
  it('reads mounts and judges a probe', () => {
    expect(parseProcMounts(local('proc-mounts.txt')).some((m) => m.mountpoint === '/')).toBe(true);
    const okProbe = parseNfsProbe(local('nfs-probe-ok.txt'));
    expect(okProbe.ok && okProbe.value.exitCode).toBe(0);
    expect(judgeNfsMount(true, okProbe.ok ? okProbe.value : undefined, 500).health).toBe('OK');
    const missing = parseNfsProbe(local('nfs-probe-enoent.txt'));
    expect(missing.ok && missing.value).toMatchObject({ exitCode: 1, error: expect.stringContaining('No such file') });
    expect(judgeNfsMount(false, undefined, 500).health).toBe('MISSING');
    expect(judgeNfsMount(true, { exitCode: 137, elapsedMs: 3004, error: '' }, 500).health).toBe('HUNG');
    expect(judgeNfsMount(true, { exitCode: 0, elapsedMs: 900, error: '' }, 500).health).toBe('SLOW');
    expect(
      judgeNfsMount(true, { exitCode: 1, elapsedMs: 3, error: "stat: cannot statx '/x/.': Stale file handle" }, 500)
        .health,
    ).toBe('STALE');
    expect(parseNfsProbe('garbage').ok).toBe(false);
  });

  it('reads the probe shell function the same as the script, an error before the status line', () => {
    const okProbe = parseNfsProbe(local('nfs-probe-fn-ok.txt'));
    expect(okProbe).toMatchObject({ ok: true, value: { exitCode: 0, error: '' } });
    const missing = parseNfsProbe(local('nfs-probe-fn-enoent.txt'));
    expect(missing).toMatchObject({ ok: true, value: { exitCode: 1, error: expect.stringContaining("it's missing") } });
    expect(missing.ok && missing.value.error).toContain('No such file');
    // The status line must be the last: one followed by more text is not a probe's output.
    expect(parseNfsProbe(`${local('nfs-probe-fn-ok.txt')}stray\n`).ok).toBe(false);
  });

  it('ignores non-NFS mounts in mountstats', () => {
    const r = parseMountstats(
      'device proc mounted on /proc with fstype proc\ndevice /dev/vda mounted on / with fstype ext4\n',
    );
    expect(r.ok && r.value.size).toBe(0);
  });
});
