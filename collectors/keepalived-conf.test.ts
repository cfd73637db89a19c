import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeKeepalivedConfs, parseKeepalivedConf, resolveIncludePath } from './keepalived-conf.js';

// Fixtures: test/fixtures/init/ (README.md there: lab captures by test/lab/capture-init-fixtures.sh, and Debian's
// keepalived 2.2.7 sample files copied unchanged).
const FIXTURES = resolve(import.meta.dirname, '../test/fixtures/init');
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), 'utf8');

function parsed(name: string) {
  const r = parseKeepalivedConf(fixture(name));
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

describe('parseKeepalivedConf on the lab directors', () => {
  it.each([
    ['director1', 'MASTER', 100],
    ['director2', 'BACKUP', 90],
  ])('%s: VI_WEB with its VRID, VIP, track files and the DR virtual_server', (host, state, priority) => {
    const conf = parsed(`${host}/keepalived.conf.txt`);
    expect(conf.includes).toEqual([]);
    expect(conf.instances).toEqual([
      {
        name: 'VI_WEB',
        state,
        interface: 'eth0',
        vrid: 51,
        priority,
        advertIntSec: 1,
        vips: ['10.18.11.40'],
        trackFiles: [{ name: 'lvstop_prio' }, { name: 'lvstop_fault' }],
        trackScripts: [],
        notify: ['/etc/keepalived/notify.sh'],
      },
    ]);
    expect(conf.trackFiles).toEqual([
      { name: 'lvstop_prio', file: '/etc/keepalived/lvstop_prio', weight: 1 },
      { name: 'lvstop_fault', file: '/etc/keepalived/lvstop_fault', weight: 0 },
    ]);
    expect(conf.virtualServers).toEqual([
      {
        target: '10.18.11.40 80',
        address: '10.18.11.40',
        port: 80,
        protocol: 'TCP',
        lbAlgo: 'rr',
        lbKind: 'DR',
        persistenceTimeout: 50,
        realServers: [
          { address: '10.18.11.21', port: 80, weight: 100 },
          { address: '10.18.11.22', port: 80, weight: 100 },
        ],
      },
    ]);
  });
});

describe('parseKeepalivedConf on Debian keepalived samples', () => {
  it('fwmark virtual_server with NAT and persistence', () => {
    const conf = parsed('debian-samples/keepalived.conf.fwmark');
    expect(conf.instances).toEqual([]);
    expect(conf.virtualServers).toMatchObject([
      {
        target: 'fwmark 1',
        fwmark: 1,
        lbAlgo: 'rr',
        lbKind: 'NAT',
        persistenceTimeout: 900,
        realServers: [
          { address: '192.168.201.100', weight: 1 },
          { address: '192.168.201.101', weight: 1 },
        ],
      },
    ]);
  });

  it('track_script references and vrrp_script names; trailing # comments dropped', () => {
    const conf = parsed('debian-samples/keepalived.conf.vrrp.localcheck');
    expect(conf.scripts).toContain('chk_sshd');
    const vi1 = conf.instances.find((i) => i.name === 'VI_1');
    expect(vi1).toMatchObject({ vrid: 51, state: 'MASTER', priority: 100, vips: ['192.168.200.18'] });
    expect(vi1?.trackScripts).toEqual(['chk_sshd', 'chk_haproxy', 'chk_http_port', 'chk_https_port', 'chk_smtp_port']);
  });

  it('advert_int and version per vrrp_instance, absent when not written', () => {
    const [vi0] = parsed('debian-samples/keepalived.conf.conditional_conf').instances;
    expect(vi0).toMatchObject({ name: 'VI_0', advertIntSec: 12, version: 3 });
    const [vi1] = parsed('debian-samples/keepalived.conf.sample').instances;
    expect(vi1).toMatchObject({ name: 'VI_1', advertIntSec: 1 });
    expect(vi1).not.toHaveProperty('version');
    const fractional = parseKeepalivedConf('vrrp_instance V {\n  advert_int 0.5\n  version 3\n}\n');
    expect(fractional.ok && fractional.value.instances[0]).toMatchObject({ advertIntSec: 0.5, version: 3 });
  });

  it('@id conditional lines: the statement is read (first one wins)', () => {
    const conf = parsed('debian-samples/keepalived.conf.conditional_conf');
    expect(conf.instances[0]).toMatchObject({ name: 'VI_0', vrid: 1, priority: 170, vips: ['10.1.0.254'] });
    expect(conf.instances[0]?.trackScripts).toEqual(['check_VI_0']);
  });

  it('IPv6 virtual_server; a commented-out block is not read', () => {
    const conf = parsed('debian-samples/keepalived.conf.IPv6');
    expect(conf.virtualServers).toEqual([
      {
        target: 'ae00::1 80',
        address: 'ae00::1',
        port: 80,
        protocol: 'TCP',
        lbAlgo: 'rr',
        lbKind: 'NAT',
        persistenceTimeout: 50,
        realServers: [{ address: 'ae00::10', port: 25, weight: 1 }],
      },
    ]);
  });

  it('virtual_server group', () => {
    const conf = parsed('debian-samples/keepalived.conf.virtual_server_group');
    expect(conf.virtualServers[0]).toMatchObject({ target: 'group VSG_1', group: 'VSG_1' });
  });

  it('every sample parses without an error, and never throws on any prefix of it', () => {
    for (const f of readdirSync(resolve(FIXTURES, 'debian-samples'))) {
      const text = fixture(`debian-samples/${f}`);
      expect(parseKeepalivedConf(text).ok, f).toBe(true);
      for (let cut = 0; cut < text.length; cut += 97)
        expect(() => parseKeepalivedConf(text.slice(0, cut))).not.toThrow();
    }
  });
});

describe('odd input', () => {
  it('an extra closing brace is a parse error naming its line', () => {
    const text = fixture('director1/keepalived.conf.txt') + '}\n';
    const r = parseKeepalivedConf(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.line).toBe(text.split('\n').length - 1);
  });

  it('merges a main file with its includes in order', () => {
    const a = parsed('director1/keepalived.conf.txt');
    const b = parsed('debian-samples/keepalived.conf.fwmark');
    const merged = mergeKeepalivedConfs([a, b]);
    expect(merged.instances.map((i) => i.name)).toEqual(['VI_WEB']);
    expect(merged.virtualServers.map((v) => v.target)).toEqual(['10.18.11.40 80', 'fwmark 1']);
  });

  it('relative include patterns are taken from the including file', () => {
    expect(resolveIncludePath('conf.d/*.conf', '/etc/keepalived/keepalived.conf')).toBe(
      '/etc/keepalived/conf.d/*.conf',
    );
    expect(resolveIncludePath('/srv/ka/x.conf', '/etc/keepalived/keepalived.conf')).toBe('/srv/ka/x.conf');
  });
});
