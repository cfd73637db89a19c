import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB, LAB_SSH_CONFIG, runCli, sshLab } from '../support/lab.js';

// `lvstop init` against the lab's directors: the config it writes passes check-config and its snapshot shows both
// clusters with their VIPs and VRRP instances; the hosts are unchanged.

const TMP = mkdtempSync(join(tmpdir(), 'lvstop-init-'));
const OUT = join(TMP, 'lvstop.json');
const DIRECTORS = ['nat-director', 'director1', 'director2'];
const REAL_SERVERS = ['real1', 'real2', 'web1', 'web2'];
const STATE_OF_HOSTS =
  'cat /etc/keepalived/keepalived.conf 2>/dev/null | md5sum; ipvsadm -S -n | md5sum; ip -4 -o addr | md5sum';

interface SnapshotJson {
  clusters: {
    name: string;
    mode: string;
    vips: string[];
    vrrp: { director: string; instance: string; vrid: number; state: string }[];
    directors: { host: string; services: { key: string }[] }[];
  }[];
  hosts: { name: string; state: string; error: unknown }[];
}

const init = (...extra: string[]) =>
  runCli(
    [
      'init',
      '--ssh-config',
      LAB_SSH_CONFIG,
      '--known-hosts',
      resolve(LAB, 'known_hosts'),
      '-o',
      OUT,
      ...extra,
      ...DIRECTORS,
      '--real-server',
      ...REAL_SERVERS,
    ],
    120_000,
  );

const before: Record<string, string> = {};
let first: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  for (const h of DIRECTORS) before[h] = await sshLab(h, STATE_OF_HOSTS);
  first = await init();
});

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('lvstop init on the lab', () => {
  it('reads the directors, reports what it found and guessed, and writes the config', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /found\s+vrrp_instance VI_WEB \(VRID 51, MASTER, eth0, priority 100, VIP 10\.18\.11\.40/,
    );
    expect(first.stdout).toMatch(/guessed\s+name "web" \(from vrrp_instance VI_WEB\)/);
    expect(first.stdout).toMatch(/found\s+mode nat \(ipvsadm forwarding Masq/);
    expect(first.stdout).toMatch(/found\s+mode dr \(lb_kind DR\)/);
    expect(first.stdout).toContain(`wrote ${OUT}`);
  });

  it('writes directors paired by VRID, VIPs, real servers with their hosts, keepalived details', () => {
    const config = JSON.parse(readFileSync(OUT, 'utf8')) as {
      hosts: Record<string, unknown>;
      clusters: { name: string; mode: string; vips: string[]; directors: unknown[]; realServers: unknown[] }[];
    };
    expect(Object.keys(config.hosts).sort()).toEqual([...DIRECTORS, ...REAL_SERVERS].sort());
    expect(config.clusters).toEqual([
      {
        name: 'nat-director',
        mode: 'nat',
        vips: ['172.16.60.22'],
        directors: [{ host: 'nat-director', dip: '192.168.60.1' }],
        realServers: expect.arrayContaining([
          { host: 'real1', address: '192.168.60.99' },
          { host: 'real2', address: '192.168.60.40' },
        ]),
      },
      {
        name: 'web',
        mode: 'dr',
        vips: ['10.18.11.40'],
        directors: ['director1', 'director2'].map((host) => ({
          host,
          keepalived: {
            instances: ['VI_WEB'],
            trackFiles: { priority: '/etc/keepalived/lvstop_prio', fault: '/etc/keepalived/lvstop_fault' },
            notifyLog: '/run/keepalived/notify.log',
          },
        })),
        realServers: [
          { host: 'web1', address: '10.18.11.21' },
          { host: 'web2', address: '10.18.11.22' },
        ],
      },
    ]);
  });

  it('check-config accepts it', async () => {
    const r = await runCli(['-c', OUT, 'check-config']);
    // Every directive of the lab's ssh_config is honoured: no ssh config warning.
    expect(r.stderr).not.toContain('warning: ssh config');
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('lvstop: warning: ssh config:'))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 cluster(s), 7 host(s)');
  });

  it('its snapshot lists both clusters with their VIPs and VRRP instances', async () => {
    // The lab runs in an emulated (TCG) guest: give each poll the time the lab's own config gives it.
    const config = JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, unknown>;
    writeFileSync(OUT, JSON.stringify({ ...config, commandTimeoutMs: 20_000 }));
    const debug = join(TMP, 'debug.log');
    const r = await runCli(['-c', OUT, '--debug', debug, 'snapshot', '--json', '--no-rates'], 120_000);
    const down = (JSON.parse(r.stdout || '{"hosts":[]}') as SnapshotJson).hosts.filter((h) => h.state !== 'up');
    expect(r.code, `${r.stderr} ${JSON.stringify(down)}`).toBe(0);
    const log = readFileSync(debug, 'utf8');
    expect(log).toMatch(/Z ssh-connect host=director1 to=root@127\.0\.0\.1:2204\n/);
    expect(log).toMatch(/Z ssh-connected host=director1\n/);
    expect(log).toMatch(/Z poll-start host=nat-director\n/);
    expect(log).toMatch(/Z poll-end host=nat-director ms=\d+ sections=\d+ late=\d+\n/);
    expect(log).toMatch(/Z ssh-close host=web2\n/);
    const snap = JSON.parse(r.stdout) as SnapshotJson;
    expect(snap.hosts.every((h) => h.state === 'up')).toBe(true);
    const nat = snap.clusters.find((c) => c.name === 'nat-director');
    const dr = snap.clusters.find((c) => c.name === 'web');
    expect(nat?.vips).toEqual(['172.16.60.22']);
    expect(nat?.directors[0]?.services.map((s) => s.key)).toContain('TCP 172.16.60.22:80');
    expect(dr?.vips).toEqual(['10.18.11.40']);
    expect(dr?.vrrp.map((v) => [v.director, v.instance, v.vrid]).sort()).toEqual([
      ['director1', 'VI_WEB', 51],
      ['director2', 'VI_WEB', 51],
    ]);
    expect(dr?.vrrp.map((v) => v.state).sort()).toEqual(['BACKUP', 'MASTER']);
  });

  it('refuses to overwrite without --force, and leaves the file as it was', async () => {
    writeFileSync(OUT, '{"mine": true}\n');
    const r = await init();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exists; pass --force');
    expect(readFileSync(OUT, 'utf8')).toBe('{"mine": true}\n');
    const forced = await init('--force');
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(OUT, 'utf8'))).toHaveProperty('clusters');
  });

  it('changed nothing on the directors', async () => {
    for (const h of DIRECTORS) expect(await sshLab(h, STATE_OF_HOSTS), h).toBe(before[h]);
  });
});
