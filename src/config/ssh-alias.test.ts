import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { loadSshAliases } from './ssh-alias.js';

/** Real files in a temp dir, HOME pointed at it so `~/.ssh` is the test's own. */
let home: string;
let savedHome: string | undefined;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'lvstop-sshcfg-'));
  mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
  savedHome = process.env.HOME;
  process.env.HOME = home;
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
  if (savedHome === undefined) delete process.env.HOME;
  else process.env.HOME = savedHome;
});

function write(path: string, lines: string[]): string {
  const file = join(home, path);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function configProblems(p: Promise<unknown>): Promise<readonly string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** An lvstop config naming one host, read with the given ssh config. */
function lvstopConfig(sshConfig: string, host = 'd1'): string {
  const file = join(home, 'lvstop.json');
  writeFileSync(
    file,
    JSON.stringify({ sshConfig, hosts: { [host]: {} }, clusters: [{ name: 'c', mode: 'dr', directors: [{ host }] }] }),
  );
  return file;
}

describe('ssh config Include', () => {
  it('follows Include with globs relative to ~/.ssh, in sorted order', async () => {
    write('.ssh/conf.d/20-web.conf', ['Host web1', '  HostName 10.0.0.21', '  IdentityFile ~/.ssh/web_key']);
    write('.ssh/conf.d/10-lb.conf', ['Host d1', '  HostName 10.0.0.11', '  Port 2222']);
    write('.ssh/conf.d/10-lb.conf.bak', ['Host d1', '  HostName 10.9.9.9']);
    const main = write('.ssh/config', ['Include conf.d/*.conf', 'Host *', '  User ops']);
    const aliases = await loadSshAliases(main);
    expect(aliases.resolve('d1')).toMatchObject({ hostName: '10.0.0.11', port: 2222, user: 'ops' });
    expect(aliases.resolve('web1')).toMatchObject({ hostName: '10.0.0.21', identityFiles: ['~/.ssh/web_key'] });
    expect(aliases.warnings).toEqual([]);
  });

  it('follows an absolute Include and ~/ paths, and skips files that do not exist', async () => {
    const abs = write('elsewhere.conf', ['Host d1', '  HostName 10.0.0.11']);
    const main = write('.ssh/config', [`Include ${abs} ~/.ssh/missing.conf`]);
    expect((await loadSshAliases(main)).resolve('d1').hostName).toBe('10.0.0.11');
  });

  it('stops an Include loop with a config error', async () => {
    const main = write('.ssh/config', ['Include config', 'Host d1', '  HostName 10.0.0.11']);
    const p = await configProblems(loadSshAliases(main));
    expect(p[0]).toMatch(/Include nested more than 16 deep/);
  });
});

describe('ssh config directives lvstop does not honour', () => {
  it('returns ProxyCommand for the transport', async () => {
    const main = write('.ssh/config', ['Host d1', '  ProxyCommand ssh -W %h:%p bastion']);
    const resolved = await loadConfig(lvstopConfig(main));
    const d1 = resolved.hosts.get('d1');
    expect(d1?.transport === 'ssh' && d1.endpoint.proxyCommand).toBe('ssh -W %h:%p bastion');
  });

  it('warns, once each, about Match blocks and directives that would change the connection', async () => {
    const main = write('.ssh/config', [
      'Match exec "test -f /etc/vpn"',
      '  User vpn',
      'Host d1',
      '  HostKeyAlias lb-primary',
      '  CanonicalizeHostname yes',
      '  CanonicalDomains example.org',
      'Host unrelated',
      '  UserKnownHostsFile /dev/null',
    ]);
    const resolved = await loadConfig(lvstopConfig(main));
    expect(resolved.warnings).toEqual([
      expect.stringMatching(
        /config:1: Match exec "test -f \/etc\/vpn": lvstop never runs Match exec, so this block never applies/,
      ),
      'ssh config: CanonicalizeHostname (for d1) is not supported: host names are not canonicalized',
    ]);
    // HostKeyAlias and UserKnownHostsFile are honoured; the Match exec block did not apply.
    const d1 = resolved.hosts.get('d1');
    expect(d1?.transport === 'ssh' && d1.endpoint).toMatchObject({ hostKeyAlias: 'lb-primary' });
    expect(d1?.transport === 'ssh' && d1.endpoint.user).not.toBe('vpn');
  });
});

describe('a malformed ssh config is a config error (exit 2), never a crash', () => {
  it('Host with no pattern at the end of the file', async () => {
    const main = write('.ssh/config', ['Host d1', '  HostName 10.0.0.11', 'Host']);
    expect(await configProblems(loadConfig(lvstopConfig(main)))).toEqual([
      expect.stringMatching(/^ssh config: .*config:3: "Host" with no pattern$/),
    ]);
  });

  it('Match host with no pattern, and Match with nothing', async () => {
    const host = write('.ssh/config', ['Match host', '  User x']);
    expect(await configProblems(loadConfig(lvstopConfig(host)))).toEqual([
      expect.stringMatching(/^ssh config cannot be parsed: .*config:1: Match host needs an argument$/),
    ]);
    const bare = write('.ssh/config', ['Match', '  User x']);
    expect((await configProblems(loadConfig(lvstopConfig(bare))))[0]).toMatch(/config:1: "Match" with no criteria/);
  });

  it('sshConfig pointing at a directory', async () => {
    expect(await configProblems(loadConfig(lvstopConfig(join(home, '.ssh'))))).toEqual([
      `ssh config: ${join(home, '.ssh')} is a directory, not an ssh config file`,
    ]);
  });

  it('a Port that is not a number', async () => {
    const main = write('.ssh/config', ['Host d1', '  Port ssh']);
    expect(await configProblems(loadConfig(lvstopConfig(main)))).toEqual([
      'hosts.d1: ssh config gives d1 an invalid Port',
    ]);
  });
});

describe("the lab's generated ssh_config", () => {
  /** test/lab/lab.sh's own host_block function, run by bash (it only prints a Host block). */
  function labHostBlocks(state: string, calls: string[]): string {
    const lab = readFileSync(join(import.meta.dirname, '../../test/lab/lab.sh'), 'utf8');
    const fn = /^ {2}host_block\(\) \{[\s\S]*?^ {2}\}$/m.exec(lab);
    if (!fn) throw new Error('host_block() not found in test/lab/lab.sh');
    return execFileSync('bash', ['-c', `set -eu; STATE=${state}\n${fn[0]}\n${calls.join('\n')}`], {
      encoding: 'utf8',
    });
  }

  it('is honoured in full: no warning, and every directive reaches the endpoint', async () => {
    const blocks = labHostBlocks(home, [
      'host_block director1 127.0.0.1 2201',
      'host_block web1-via-jump 10.18.11.21 22 director1',
    ]);
    expect(blocks).toMatch(/UserKnownHostsFile/);
    const sshConfig = write('lab_ssh_config', [blocks]);
    const file = join(home, 'lvstop.json');
    writeFileSync(
      file,
      JSON.stringify({
        sshConfig,
        knownHosts: 'known_hosts',
        hosts: { director1: {}, 'web1-via-jump': {} },
        clusters: [{ name: 'c', mode: 'dr', directors: [{ host: 'director1' }] }],
      }),
    );
    const resolved = await loadConfig(file);
    expect(resolved.warnings).toEqual([]);
    const web = resolved.hosts.get('web1-via-jump');
    expect(web?.transport === 'ssh' && web.endpoint).toMatchObject({
      host: '10.18.11.21',
      port: 22,
      user: 'root',
      identityFiles: [join(home, 'id_ed25519')],
      knownHostsFiles: [join(home, 'known_hosts')],
      identitiesOnly: true,
      jump: { name: 'director1', host: '127.0.0.1', port: 2201, knownHostsFiles: [join(home, 'known_hosts')] },
    });
  });
});

describe("OpenSSH's own settings reach the endpoint", () => {
  it('refuses StrictHostKeyChecking no (and off) for a host lvstop connects to', async () => {
    for (const value of ['no', 'off']) {
      const main = write('.ssh/config', ['Host d1', `  StrictHostKeyChecking ${value}`]);
      expect(await configProblems(loadConfig(lvstopConfig(main)))).toEqual([
        expect.stringMatching(
          /^hosts\.d1: ssh config sets StrictHostKeyChecking no for d1 \(.*config:2\): lvstop never connects to a host whose key it has not verified/,
        ),
      ]);
    }
  });

  it("reads the ssh config known_hosts files besides lvstop's, and takes timeouts, keepalive and the agent from it", async () => {
    const main = write('.ssh/config', [
      'Host d1',
      '  HostName 10.0.0.11',
      '  UserKnownHostsFile ~/.ssh/kh_%h none_but_a_name',
      '  GlobalKnownHostsFile /etc/ssh/lb_known_hosts',
      '  StrictHostKeyChecking accept-new',
      '  ConnectTimeout 4',
      '  ServerAliveInterval 20',
      '  ServerAliveCountMax 5',
      '  IdentityAgent ~/agent.sock',
      '  IdentityFile ~/.ssh/k1',
      '  IdentityFile ~/.ssh/k2_%r',
      '  User ops',
    ]);
    const resolved = await loadConfig(lvstopConfig(main));
    const d1 = resolved.hosts.get('d1');
    expect(d1?.transport === 'ssh' && d1.endpoint).toMatchObject({
      host: '10.0.0.11',
      knownHostsFiles: [join(home, '.ssh/kh_10.0.0.11'), join(home, 'none_but_a_name'), '/etc/ssh/lb_known_hosts'],
      acceptNew: true,
      connectTimeoutMs: 4000,
      keepaliveIntervalMs: 20_000,
      keepaliveCountMax: 5,
      agent: join(home, 'agent.sock'),
      identityFiles: [join(home, '.ssh/k1'), join(home, '.ssh/k2_ops')],
    });
    // lvstop's own files are still read, and --accept-new writes only to lvstop's.
    expect(resolved.knownHostsFiles).toEqual([join(home, '.ssh/known_hosts'), resolved.lvstopKnownHosts]);
  });

  it('IdentityAgent none: no agent, even with SSH_AUTH_SOCK set', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = join(home, 'agent');
    try {
      const main = write('.ssh/config', ['Host d1', '  IdentityAgent none']);
      const d1 = (await loadConfig(lvstopConfig(main))).hosts.get('d1');
      expect(d1?.transport === 'ssh' && d1.endpoint.agent).toBeUndefined();
      const env = write('.ssh/config', ['Host d1', '  IdentityAgent SSH_AUTH_SOCK']);
      const d2 = (await loadConfig(lvstopConfig(env))).hosts.get('d1');
      expect(d2?.transport === 'ssh' && d2.endpoint.agent).toBe(join(home, 'agent'));
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
