import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSshAliases, type SshAliasResolver } from './ssh-alias.js';
import { effectiveSsh } from './ssh-effective.js';
import { expandTilde } from './ssh-tokens.js';

/**
 * lvstop's reading of an ssh config compared, field by field, with `ssh -G -F FILE alias` (OpenSSH prints the
 * configuration it would use and exits: it connects to nothing, and no name here resolves anywhere but loopback or
 * `.invalid`). The config holds no Match exec: ssh -G would run it.
 */
const SSH = '/usr/bin/ssh';
const haveSsh = existsSync(SSH);
if (!haveSsh) console.warn(`ssh config parity test skipped: ${SSH} (the OpenSSH client) is not installed`);

let dir: string;
let config: string;
let aliases: SshAliasResolver;

function stanzas(inc: string): string[] {
  return [
    '# lvstop parity config',
    `Include ${inc}/early-*.conf`,
    'Host plain',
    '  HostName 127.0.0.10',
    '  Port 2210',
    '  User alice',
    'Host eq',
    '  HostName=127.0.0.11',
    '  Port = 2211',
    '  User\t=\tbob',
    'Host multi1 multi2 multi3',
    '  HostName 127.0.0.12',
    '  User multi',
    'Host web-??',
    '  HostName %h.web.invalid',
    '  Port 8022',
    'Host web-* !web-99',
    '  User webops',
    '  IdentityFile ~/.ssh/web_%h_%r',
    '  IdentityFile /keys/%u/%n.key',
    'Host db-*',
    '  HostName %h.db.invalid',
    `  UserKnownHostsFile ~/.ssh/kh_db ${inc}/kh_%h_%p_%r %%literal`,
    '  GlobalKnownHostsFile /etc/ssh/ssh_known_hosts_db /etc/ssh/other',
    '  StrictHostKeyChecking accept-new',
    'Host db-1',
    '  Port 5432',
    '  StrictHostKeyChecking yes',
    'Host alias-*',
    '  HostKeyAlias LB-Primary',
    '  HostName 127.0.0.13',
    'Host strict-yes',
    '  StrictHostKeyChecking yes',
    'Host strict-ask',
    '  StrictHostKeyChecking ask',
    'Host strict-true',
    '  StrictHostKeyChecking true',
    'Host timeouts',
    '  ConnectTimeout 7',
    '  ServerAliveInterval 15',
    '  ServerAliveCountMax 4',
    'Host timeouts-units',
    '  ConnectTimeout 1m30s',
    '  ServerAliveInterval 2m',
    'Host agent-path',
    `  IdentityAgent ~/agent/%h-%p-%r.sock`,
    'Host agent-none',
    '  IdentityAgent none',
    'Host agent-env',
    '  IdentityAgent SSH_AUTH_SOCK',
    'Host only',
    '  IdentitiesOnly yes',
    '  IdentityFile ~/.ssh/only_key',
    '  IdentityFile ~/.ssh/only_key',
    '  IdentityFile "/path with space/key"',
    'Host jump1',
    '  ProxyJump bastion',
    'Host jump2',
    '  ProxyJump ops@bastion:2200,second',
    'Host nojump',
    '  ProxyJump none',
    'Host neg-* !neg-skip',
    '  User negated',
    'Host dup',
    '  Port 2301',
    '  Port 2302',
    '  User first',
    '  User second',
    `  UserKnownHostsFile ${inc}/a1 ${inc}/a2`,
    `  UserKnownHostsFile ${inc}/b1`,
    'Host caseful',
    '  HostName MixedCase.Example.Invalid',
    'Host UPPER',
    '  Port 2400',
    'Host tokens',
    '  HostName 127.0.0.14',
    '  User tok',
    '  Port 2014',
    `  UserKnownHostsFile ${inc}/%d/%h/%p/%r/%u/%n/%k/%i/%l/%L/%C/%%`,
    'Host tokens-jump',
    '  ProxyJump bastion',
    // %C hashes ProxyJump too since OpenSSH 9.4 (and %j is newer than 9.2): only tokens every version agrees on here.
    `  UserKnownHostsFile ${inc}/%n_%k ${inc}/%r@%h`,
    'Host nested',
    `  Include ${inc}/nested.conf`,
    '  User nestuser',
    'Host quoted',
    '  IdentityFile "~/.ssh/quoted key"',
    "  IdentityFile '/single/quoted'",
    'Host comment # a trailing comment',
    '  Port 2600 # and another',
    'Host m1 m2',
    '  HostName %h.match.invalid',
    'Match host *.match.invalid',
    '  User matched',
    '  Port 2700',
    'Match originalhost orig-*',
    '  IdentitiesOnly yes',
    'Match user webops host web-*',
    '  ServerAliveInterval 33',
    'Match !host 127.0.0.*,*.invalid originalhost misc-*',
    '  ConnectTimeout 3',
    'Match user matched,!nobody',
    '  HostKeyAlias matched-key',
    'Host *.wild',
    '  User wild',
    '  IdentitiesOnly no',
    'Host *',
    '  User defaultuser',
    '  IdentityFile ~/.ssh/id_default',
    `  UserKnownHostsFile ~/.ssh/known_hosts ${inc}/shared_known_hosts`,
    '  ServerAliveInterval 30',
    '  StrictHostKeyChecking yes',
  ];
}

/** 40 aliases: each Host and Match above, names no pattern matches, and names a negation excludes. */
const ALIASES = [
  'plain', 'eq', 'multi1', 'multi3', 'web-01', 'web-99', 'web-1', 'db-1', 'db-2', 'alias-a', 'strict-yes',
  'strict-ask', 'strict-true', 'timeouts', 'timeouts-units', 'agent-path', 'agent-none', 'agent-env', 'only',
  'jump1', 'jump2', 'nojump', 'neg-a', 'neg-skip', 'dup', 'caseful', 'UPPER', 'upper', 'tokens', 'tokens-jump',
  'nested', 'nested-inner', 'quoted', 'comment', 'm1', 'orig-x', 'misc-1', 'inc-a', 'inc-b', 'box.wild', 'unlisted',
]; // prettier-ignore

function sshG(alias: string): Map<string, string[]> {
  const out = execFileSync(SSH, ['-G', '-F', config, alias], {
    encoding: 'utf8',
    env: { ...process.env, SSH_AUTH_SOCK: '' },
  });
  const fields = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (m) fields.set(m[1]!.toLowerCase(), [...(fields.get(m[1]!.toLowerCase()) ?? []), m[2]!]);
  }
  return fields;
}

/** lvstop's resolution printed as `ssh -G` prints it, OpenSSH's defaults filled in where the config sets nothing. */
function lvstopG(alias: string): Record<string, string[]> {
  const e = effectiveSsh(alias, aliases.resolve(alias));
  const strict = { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' } as const;
  const files = (f: readonly string[] | undefined, fallback: string) =>
    f === undefined ? [fallback] : f.length === 0 ? ['none'] : [f.join(' ')];
  return {
    hostname: [e.hostName],
    port: [String(e.port)],
    user: [e.user],
    identityfile: [...e.identityFiles],
    userknownhostsfile: files(
      e.userKnownHostsFiles,
      `${expandTilde('~/.ssh/known_hosts')} ${expandTilde('~/.ssh/known_hosts2')}`,
    ),
    globalknownhostsfile: files(e.globalKnownHostsFiles, '/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2'),
    stricthostkeychecking: [e.strictHostKeyChecking ? strict[e.strictHostKeyChecking.value] : 'ask'],
    hostkeyalias: e.hostKeyAlias === undefined ? [] : [e.hostKeyAlias],
    connecttimeout: [e.connectTimeoutSec === undefined ? 'none' : String(e.connectTimeoutSec)],
    serveraliveinterval: [String(e.serverAliveIntervalSec ?? 0)],
    serveralivecountmax: [String(e.serverAliveCountMax ?? 3)],
    identityagent: e.identityAgent === undefined ? [] : [e.identityAgent],
    identitiesonly: [e.identitiesOnly ? 'yes' : 'no'],
    proxyjump: e.proxyJump === undefined ? [] : [e.proxyJump],
  };
}

describe.skipIf(!haveSsh)('ssh config resolution matches ssh -G', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lvstop-parity-'));
    const inc = join(dir, 'inc');
    mkdirSync(inc);
    writeFileSync(join(inc, 'early-a.conf'), 'Host inc-a\n  HostName 127.0.0.21\n  Port 2221\n');
    writeFileSync(join(inc, 'early-b.conf'), 'Host inc-b\n  IdentityFile ~/.ssh/inc_b\n  User incb\n');
    writeFileSync(join(inc, 'early-c.conf.bak'), 'Host inc-a\n  Port 9999\n');
    // Included inside `Host nested`: its own Host line, then the Include's block state is restored.
    writeFileSync(join(inc, 'nested.conf'), '  Port 2500\nHost nested-inner\n  User inner\n');
    config = join(dir, 'ssh_config');
    writeFileSync(config, `${stanzas(inc).join('\n')}\n`);
    aliases = await loadSshAliases(config);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has more than 30 Host stanzas and resolves without a warning', () => {
    expect(stanzas('x').filter((l) => /^Host /.test(l)).length).toBeGreaterThan(30);
    for (const a of ALIASES) aliases.resolve(a);
    expect(aliases.warnings).toEqual([]);
  });

  it.each(ALIASES)('%s', (alias) => {
    const ssh = sshG(alias);
    const ours = lvstopG(alias);
    for (const [field, value] of Object.entries(ours)) {
      const theirs = ssh.get(field) ?? [];
      // No IdentityFile set: ssh lists its defaults (the version decides which); lvstop uses its own (id_*).
      if (field === 'identityfile' && value.length === 0)
        expect(
          theirs.every((f) => f.startsWith('~/.ssh/id_')),
          `${alias} ${field}`,
        ).toBe(true);
      else expect(value, `${alias} ${field}`).toEqual(theirs);
    }
  });
});
