import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig, parseConfigText } from './load-config.js';

const minimal = { hosts: { d1: {} }, clusters: [{ name: 'c', mode: 'dr', directors: [{ host: 'd1' }] }] };

function problems(value: unknown): string[] {
  try {
    parseConfigText(typeof value === 'string' ? value : JSON.stringify(value), 'cfg.json');
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('config validation', () => {
  it('accepts a minimal config and fills defaults', () => {
    const c = parseConfigText(JSON.stringify(minimal), 'cfg.json');
    expect(c.pollIntervalMs).toBe(2000);
    expect(c.readOnly).toBe(false);
    expect(c.hosts.d1?.transport).toBe('ssh');
  });

  it('names the path of each bad field', () => {
    const bad = {
      pollIntervalMs: 100,
      hosts: { d1: { port: 'ssh' }, d2: { tranport: 'local' } },
      clusters: [
        { name: 'c', mode: 'lvs', directors: [{ host: 'nope' }], nfs: [{ host: 'd1', mountpoint: 'var/www' }] },
      ],
    };
    const p = problems(bad);
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pollIntervalMs: .*500/),
        expect.stringMatching(/^hosts\.d1\.port: .*number/),
        expect.stringMatching(/^hosts\.d2: .*tranport/),
        expect.stringMatching(/^clusters\[0\]\.mode: /),
        expect.stringMatching(/^clusters\[0\]\.nfs\[0\]\.mountpoint: expected an absolute path/),
      ]),
    );
  });

  it('rejects unknown host references and non-JSON', () => {
    expect(problems({ ...minimal, clusters: [{ name: 'c', mode: 'nat', directors: [{ host: 'x' }] }] })).toEqual([
      'clusters[0].directors[0].host: unknown host "x" (not a key of "hosts")',
    ]);
    expect(problems('{ "hosts": ')[0]).toMatch(/^not valid JSON/);
  });
});

describe('hostile config text', () => {
  it('accepts a UTF-8 byte order mark', () => {
    expect(problems(`\uFEFF${JSON.stringify(minimal)}`)).toEqual([]);
  });

  it('refuses duplicate keys, naming each path (JSON.parse would keep the last silently)', () => {
    const text = `{"hosts": {"d1": {}}, "clusters": [{"name": "c", "mode": "dr", "mode": "nat", "directors": [{"host": "d1"}]}], "hosts": {"d1": {"sudo": true}}}`;
    expect(problems(text)).toEqual(['clusters[0].mode: duplicate key "mode"', 'hosts: duplicate key "hosts"']);
  });

  it('refuses NUL bytes in values and keys', () => {
    const p = problems({ ...minimal, hosts: { d1: { address: '10.0.0.1\u0000x' }, 'd\u00002': {} } });
    expect(p).toEqual(['hosts.d1.address: contains a NUL byte', 'hosts.d\\02: key contains a NUL byte']);
  });

  it('refuses values that would reach a command as an option', () => {
    const p = problems({
      hosts: { d1: {}, '-oProxyCommand=x': {} },
      clusters: [
        {
          name: 'c',
          mode: 'nat',
          directors: [{ host: 'd1', keepalived: { instances: ['VI_1'], notifyLog: '-f' } }],
          replication: [
            {
              name: 'r',
              source: { host: 'd1', path: '--delete' },
              replica: { host: 'd1', path: '/web' },
              pusher: '-f',
              rsyncTarget: '--rsh=sh -c id',
            },
          ],
          nfs: [{ host: 'd1', mountpoint: '/mnt', export: '-o' }],
        },
      ],
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^hosts\.-oProxyCommand=x: must not start with "-"/),
        expect.stringMatching(/^clusters\[0\]\.directors\[0\]\.keepalived\.notifyLog: must not start with "-"/),
        expect.stringMatching(/^clusters\[0\]\.replication\[0\]\.source\.path: must not start with "-"/),
        expect.stringMatching(/^clusters\[0\]\.replication\[0\]\.pusher: must not start with "-"/),
        expect.stringMatching(/^clusters\[0\]\.replication\[0\]\.rsyncTarget: must not start with "-"/),
        expect.stringMatching(/^clusters\[0\]\.nfs\[0\]\.export: must not start with "-"/),
      ]),
    );
  });
});

describe('host resolution through an ssh config', () => {
  it('honours HostName, Port, User, IdentityFile and ProxyJump chains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-cfg-'));
    writeFileSync(
      join(dir, 'ssh_config'),
      [
        'Host bastion',
        '  HostName 127.0.0.1',
        '  Port 2201',
        '  User ops',
        '  IdentityFile ~/.ssh/ops_key',
        'Host real1',
        '  HostName 192.168.60.99',
        '  ProxyJump bastion',
        '  IdentityFile keys/lab',
        'Host *',
        '  User root',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'lvstop.json'),
      JSON.stringify({
        sshConfig: 'ssh_config',
        knownHosts: 'known_hosts',
        hosts: {
          real1: {},
          local: { transport: 'local' },
          explicit: { address: '10.0.0.5', port: 2222, user: 'lvs', jump: 'admin@127.0.0.1:2200', sudo: true },
        },
        clusters: [{ name: 'c', mode: 'nat', directors: [{ host: 'real1' }] }],
      }),
    );
    const resolved = await loadConfig(join(dir, 'lvstop.json'));
    const real1 = resolved.hosts.get('real1');
    expect(real1).toMatchObject({
      transport: 'ssh',
      endpoint: {
        host: '192.168.60.99',
        port: 22,
        user: 'root',
        identityFiles: [join(dir, 'keys/lab')],
        jump: { name: 'bastion', host: '127.0.0.1', port: 2201, user: 'ops' },
      },
    });
    expect(resolved.hosts.get('local')).toEqual({ name: 'local', transport: 'local', sudo: false });
    expect(resolved.hosts.get('explicit')).toMatchObject({
      sudo: true,
      endpoint: { host: '10.0.0.5', port: 2222, user: 'lvs', jump: { host: '127.0.0.1', port: 2200, user: 'admin' } },
    });
    expect(resolved.knownHostsFiles[0]).toBe(join(dir, 'known_hosts'));
  });
});
