import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
      expect.stringMatching(/config:1: Match exec "test -f \/etc\/vpn": lvstop evaluates Match only in part/),
      expect.stringMatching(/config:5: CanonicalizeHostname is not supported/),
      'ssh config: HostKeyAlias (for d1) is not supported: host keys are looked up under the host name and port',
    ]);
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
      expect.stringMatching(/^ssh config cannot be parsed: Missing value for match criteria host/),
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
