import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { paced } from '../support/lab.js';

// The lab itself: what the console's other integration tests rely on.

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const LAB_SH = resolve(REPO, 'test/lab/lab.sh');
const SSH_CONFIG = resolve(REPO, '.lab/ssh_config');
const HOSTS = ['nat-director', 'real1', 'real2', 'director1', 'director2', 'web1', 'web2', 'nfs', 'client'];
const DR_VIP = '10.18.11.40';

async function ssh(host: string, command: string, timeoutMs = 30_000): Promise<string> {
  const { stdout } = await run('ssh', ['-F', SSH_CONFIG, '-o', 'BatchMode=yes', host, command], {
    timeout: timeoutMs,
    maxBuffer: 8 * 1024 * 1024,
  });
  return stdout;
}

async function lab(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [LAB_SH, ...args], { timeout: 120_000, maxBuffer: 8 * 1024 * 1024 });
  return stdout;
}

async function holdsVip(host: string): Promise<boolean> {
  return (await ssh(host, 'ip -4 -o addr show dev eth0')).includes(` ${DR_VIP}/`);
}

/** The Conns counter of one virtual service in `ipvsadm -Ln --stats --exact`. */
async function connections(host: string, service: string): Promise<number> {
  const stats = await ssh(host, 'ipvsadm -Ln --stats --exact');
  const line = stats.split('\n').find((l) => l.startsWith(service));
  return Number(line?.trim().split(/\s+/)[2] ?? 0);
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `ipvs=1 nfs=1` from lab.sh status: the direct tier on a kernel without them has neither. */
let features = { ipvs: false, nfs: false };

beforeAll(async () => {
  const status = await lab('status');
  features = { ipvs: /\bipvs=1\b/.test(status), nfs: /\bnfs=1\b/.test(status) };
  await lab('traffic', '20', '30');
});

describe('lab hosts', () => {
  it.each([...HOSTS, 'real1-via-jump', 'web2-via-jump'])('%s answers ssh with strict host key checking', async (h) => {
    expect((await ssh(h, 'hostname')).trim()).toBe(h.replace(/-via-jump$/, ''));
  });

  it('writes a console config naming every host and both clusters', () => {
    const config = JSON.parse(readFileSync(resolve(REPO, '.lab/lvstop.json'), 'utf8'));
    expect(Object.keys(config.hosts)).toEqual(HOSTS.filter((h) => h !== 'client'));
    expect(config.clusters.map((c: { name: string; mode: string }) => `${c.name}:${c.mode}`)).toEqual([
      'discuz:nat',
      'wordpress:dr',
    ]);
  });
});

describe('discuz (LVS-NAT)', () => {
  it('has the TCP, UDP and fwmark services with counters from client traffic', async (ctx) => {
    if (!features.ipvs) ctx.skip();
    const list = await ssh('nat-director', 'ipvsadm -Ln');
    expect(list).toMatch(/TCP {2}172\.16\.60\.22:80 wlc persistent 30/);
    expect(list).toMatch(/-> 192\.168\.60\.99:80 +Masq +1 /);
    expect(list).toMatch(/-> 192\.168\.60\.40:80 +Masq +1 /);
    expect(list).toMatch(/UDP {2}172\.16\.60\.22:53 rr/);
    expect(list).toMatch(/FWM {2}1 sh/);
    // the kernel folds per-CPU counters into --stats every 2 s
    await eventually(async () => (await connections('nat-director', 'TCP  172.16.60.22:80')) > 0, 10_000);
    expect((await ssh('nat-director', 'sysctl -n net.ipv4.ip_forward')).trim()).toBe('1');
  });

  it('replicates /web from real2 to real1 within 2 s (heartbeat)', async () => {
    // Each side says how old its heartbeat is by its own clock (the lab's hosts share one), at the moment it reads it:
    // two ssh calls on a busy lab can land seconds apart, and the difference of the two files would count that too.
    const age = async (host: string) => {
      const [now, beat] = (await ssh(host, 'echo "$(date +%s.%N) $(cat /web/.lvstop-heartbeat)"')).trim().split(' ');
      expect(Number(beat)).toBeGreaterThan(0);
      return Number(now) - Number(beat);
    };
    const [source, replica] = await Promise.all([age('real2'), age('real1')]);
    // 2 s on a quiet lab; a saturated guest (the suite beside a CPU hog) runs the pusher late, as every part of the lab.
    expect(replica - source).toBeLessThanOrEqual((await paced(2000)) / 1000);
  });
});

describe('wordpress (LVS-DR, keepalived pair)', () => {
  it('director1 is MASTER with the VIP, director2 BACKUP without it', async () => {
    expect(await holdsVip('director1')).toBe(true);
    expect(await holdsVip('director2')).toBe(false);
    expect((await ssh('director1', 'tail -n1 /run/keepalived/notify.log')).trim()).toMatch(/^\d+ VI_WEB MASTER$/);
    expect((await ssh('director2', 'tail -n1 /run/keepalived/notify.log')).trim()).toMatch(/^\d+ VI_WEB BACKUP$/);
  });

  it('director1 runs the keepalived virtual server with client traffic', async (ctx) => {
    if (!features.ipvs) ctx.skip();
    const list = await ssh('director1', 'ipvsadm -Ln');
    expect(list).toMatch(/TCP {2}10\.18\.11\.40:80 rr persistent 50/);
    expect(list).toMatch(/-> 10\.18\.11\.21:80 +Route +100 /);
    await eventually(async () => (await connections('director1', 'TCP  10.18.11.40:80')) > 0, 10_000);
  });

  it('web1 and web2 mount the NFS export', async (ctx) => {
    if (!features.nfs) ctx.skip();
    expect(await ssh('web1', 'cat /proc/mounts')).toMatch(/^10\.18\.11\.30:\/ \/var\/www\/html nfs4 .*\bhard\b/m);
    expect(await ssh('web2', 'cat /proc/mounts')).toMatch(/^10\.18\.11\.30:\/ \/var\/www\/html nfs4 .*\bsoft\b/m);
  });

  it('stop-keepalived on director1 moves the VIP to director2; repair moves it back', async () => {
    await lab('fault', 'stop-keepalived', 'director1');
    try {
      await eventually(async () => (await holdsVip('director2')) && !(await holdsVip('director1')), 20_000);
    } finally {
      await lab('fault', '--repair', 'stop-keepalived', 'director1');
    }
    await eventually(async () => (await holdsVip('director1')) && !(await holdsVip('director2')), 30_000);
  });
});
