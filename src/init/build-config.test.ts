import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpvsSave } from '../../collectors/ipvs-save.js';
import { parseKeepalivedConf } from '../../collectors/keepalived-conf.js';
import { parseIpAddr } from '../../collectors/net-state.js';
import { ConfigSchema } from '../config/config-schema.js';
import { buildInitConfig, formatFindings, groupDirectors } from './build-config.js';
import { notifyLogOf } from './notify-log.js';
import type { HostReading } from './read-host.js';

// Readings assembled from what the lab's hosts printed (test/fixtures/init/README.md, and the healthy state's
// `ip -j addr` in test/fixtures/healthy/).
const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures');
const text = (path: string) => readFileSync(resolve(FIXTURES, path), 'utf8');
function value<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function director(alias: string, withKeepalived: boolean): HostReading {
  return {
    alias,
    ...(withKeepalived
      ? {
          keepalived: value(parseKeepalivedConf(text(`init/${alias}/keepalived.conf.txt`))),
          pidFile: '/run/keepalived.pid',
        }
      : { keepalivedProblem: 'cannot read /etc/keepalived/keepalived.conf' }),
    confFiles: withKeepalived ? ['/etc/keepalived/keepalived.conf'] : [],
    ipvs: value(parseIpvsSave(text(`init/${alias}/ipvsadm-S-n.txt`))),
    addresses: value(parseIpAddr(text(`healthy/${alias}/ip-j-addr.txt`))),
    notifyLogs: new Map(
      withKeepalived ? [['/etc/keepalived/notify.sh', notifyLogOf(text('init/director1/notify.sh.txt'))!]] : [],
    ),
  };
}

const realServer = (alias: string): HostReading => ({
  alias,
  confFiles: [],
  addresses: value(parseIpAddr(text(`healthy/${alias}/ip-j-addr.txt`))),
  notifyLogs: new Map(),
});

const lab = () => [director('nat-director', false), director('director1', true), director('director2', true)];

describe('buildInitConfig on the lab', () => {
  it('pairs director1 and director2 by VRID 51; nat-director is a cluster of its own', () => {
    expect(groupDirectors(lab()).map((g) => g.map((r) => r.alias))).toEqual([
      ['nat-director'],
      ['director1', 'director2'],
    ]);
  });

  it('writes a config the schema accepts, with modes, VIPs, DIP, real servers and keepalived details', () => {
    const { config } = buildInitConfig(lab(), ['real1', 'real2', 'web1', 'web2'].map(realServer), {
      sshConfig: '/lab/ssh_config',
    });
    expect(ConfigSchema.safeParse(config).success).toBe(true);
    expect(config.sshConfig).toBe('/lab/ssh_config');
    expect(config.clusters.map((c) => [c.name, c.mode, c.vips])).toEqual([
      ['nat-director', 'nat', ['172.16.60.22']],
      ['web', 'dr', ['10.18.11.40']],
    ]);
    expect(config.clusters[0]!.directors).toEqual([{ host: 'nat-director', dip: '192.168.60.1' }]);
    expect(config.clusters[0]!.realServers).toEqual(
      expect.arrayContaining([
        { host: 'real1', address: '192.168.60.99' },
        { host: 'real2', address: '192.168.60.40' },
      ]),
    );
    expect(config.clusters[1]!.directors[0]).toEqual({
      host: 'director1',
      keepalived: {
        instances: ['VI_WEB'],
        trackFiles: { priority: '/etc/keepalived/lvstop_prio', fault: '/etc/keepalived/lvstop_fault' },
        notifyLog: '/run/keepalived/notify.log',
      },
    });
    expect(config.clusters[1]!.realServers).toEqual([
      { host: 'web1', address: '10.18.11.21' },
      { host: 'web2', address: '10.18.11.22' },
    ]);
    expect(Object.keys(config.hosts).sort()).toEqual([
      'director1',
      'director2',
      'nat-director',
      'real1',
      'real2',
      'web1',
      'web2',
    ]);
  });

  it('labels every guess, and says what it found', () => {
    const { findings } = buildInitConfig(lab(), []);
    const report = formatFindings(findings);
    expect(report).toMatch(/cluster web:\n(.*\n)* {2}found {4}mode dr \(lb_kind DR\)/);
    expect(report).toMatch(/cluster nat-director:\n(.*\n)* {2}found {4}mode nat \(ipvsadm forwarding Masq/);
    expect(report).toContain('guessed  name "web" (from vrrp_instance VI_WEB)');
    expect(report).toContain('guessed  director1: notify log /run/keepalived/notify.log');
    expect(findings.filter((f) => f.kind === 'guessed').every((f) => /\(.+\)/.test(f.text))).toBe(true);
  });

  it('a --sudo init writes sudo hosts; a real server holding no real server address is left out with a warning', () => {
    const { config, findings } = buildInitConfig(lab(), [realServer('nfs')], { sudo: true });
    expect(config.hosts['director1']).toEqual({ sudo: true });
    expect(config.hosts['nfs']).toBeUndefined();
    expect(findings).toContainEqual({
      kind: 'warning',
      scope: 'nfs',
      text: 'holds none of the real server addresses found on the directors; left out of the config',
    });
  });

  it('without keepalived.conf or ipvs, a director still gets a cluster; the VIP is missing and said so', () => {
    const bare: HostReading = { alias: 'lb9', confFiles: [], addresses: [], notifyLogs: new Map() };
    const { config, findings } = buildInitConfig([bare], []);
    expect(config.clusters).toEqual([
      { name: 'lb9', mode: 'dr', vips: [], directors: [{ host: 'lb9' }], realServers: [] },
    ]);
    expect(findings.map((f) => `${f.kind} ${f.text}`)).toEqual(
      expect.arrayContaining([
        'guessed mode dr (no lb_kind and no IPVS real servers to tell)',
        'warning no VIP found: split-brain and DR checks need clusters[].vips',
      ]),
    );
  });
});
