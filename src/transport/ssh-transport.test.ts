import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { failureOf } from '../../test/support/failure-of.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/frames.js';
import type { SshEndpoint } from './endpoint.js';
import { SshTransport, type SshTransportOptions } from './ssh-transport.js';
import { MAX_STDERR_BYTES } from './transport.js';
import { scaled } from '../../test/support/until.js';
import { freePort, keygen, startPrivateSshd, type PrivateSshd } from '../../test/support/private-sshd.js';

/** Transport failures against a private sshd on 127.0.0.1 (no lab): any unhandled rejection fails the file. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let sshd: PrivateSshd;
const opened: SshTransport[] = [];

function endpointFor(s: PrivateSshd, extra: Partial<SshEndpoint> = {}): SshEndpoint {
  return { name: 'private', host: '127.0.0.1', port: s.port, user: 'root', identityFiles: [s.identityFile], ...extra };
}

function transport(endpoint: SshEndpoint, options: Partial<SshTransportOptions> = {}): SshTransport {
  const t = new SshTransport(endpoint, { knownHostsFiles: [join(sshd.dir, 'known_hosts')], ...options });
  opened.push(t);
  return t;
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  sshd = await startPrivateSshd();
  writeFileSync(join(sshd.dir, 'known_hosts'), `${sshd.knownHostsLines.ed25519}\n`);
});
afterAll(async () => {
  await Promise.all(opened.map((t) => t.close()));
  await sshd.stop();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('shell session on a private sshd', () => {
  it('returns megabytes of output in one piece (the scan speed is in bench/shell-session-scan.ts)', async () => {
    const t = transport(endpointFor(sshd));
    const size = 2 * 1024 * 1024 - 1024;
    const r = await t.execShell(`head -c ${size} /dev/zero | tr '\\0' 'a'; exit 3`, { timeoutMs: 30_000 });
    expect(r.stdout.length).toBe(size);
    expect(r.stdout).toMatch(/^a+$/);
    expect(r.exitCode).toBe(3);
    // The next script on the same shell starts clean.
    const again = await t.execShell('printf "x\\ny"', { timeoutMs: 10_000 });
    expect(again.stdout).toBe('x\ny');
    expect(again.exitCode).toBe(0);
  });

  it('keeps at most MAX_STDERR_BYTES of the stderr of a script', async () => {
    const t = transport(endpointFor(sshd));
    // stderr travels beside stdout, not in order with it: the pause lets it arrive before the end marker.
    const r = await t.execShell('head -c 300000 /dev/zero | tr "\\0" e >&2; sleep 0.5; echo ok', {
      timeoutMs: 30_000,
    });
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toBe('e'.repeat(MAX_STDERR_BYTES));
  });

  it('keeps multi-byte characters split across packets intact', async () => {
    const t = transport(endpointFor(sshd));
    const r = await t.execShell(`awk 'BEGIN { for (i = 0; i < 20000; i++) printf "集群" }'`, {
      timeoutMs: 30_000,
    });
    expect(r.stdout).toBe('集群'.repeat(20_000));
  });
});

describe('a host that is down, silent or slow', () => {
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((s) => sockets.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('reports timeout for a port that accepts and never speaks SSH, then closes cleanly', async () => {
    const t = transport(endpointFor(sshd, { port: silentPort }), { connectTimeoutMs: 1000 });
    const started = Date.now();
    // The command's own budget is a minute: the connect timeout (1 s) must be what ends it, busy machine or not.
    const f = await failureOf(t.exec(['true'], { timeoutMs: 60_000 }));
    expect(f.detail.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(scaled(4000));
    expect(t.state).toBe('down');
    await t.close();
    expect(t.state).toBe('closed');
  });

  it('reports unreachable for a closed port', async () => {
    const port = await freePort();
    const t = transport(endpointFor(sshd, { port }), { connectTimeoutMs: 1000 });
    const f = await failureOf(t.exec(['true'], { timeoutMs: 5000 }));
    expect(f.detail.kind).toBe('unreachable');
    expect(f.detail.code).toBe('ECONNREFUSED');
    await t.close();
  });

  it('kills a remote command at its timeout and keeps the connection usable', async () => {
    const t = transport(endpointFor(sshd));
    const started = Date.now();
    const f = await failureOf(t.exec(['sleep', '120'], { timeoutMs: 1000 }));
    expect(f.detail.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(scaled(3000));
    expect((await t.exec(['true'], { timeoutMs: 10_000 })).exitCode).toBe(0);
  });
});

describe('host keys against a private sshd', () => {
  const knownHosts = (name: string, lines: string[]) => {
    const file = join(sshd.dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };

  it('connects when a stale RSA line comes before the good ed25519 line, as OpenSSH does', async () => {
    const stale = keygen(join(sshd.dir, 'stale_rsa'), 'rsa').split(' ').slice(0, 2).join(' ');
    const file = knownHosts('kh-stale-rsa', [`[127.0.0.1]:${sshd.port} ${stale}`, sshd.knownHostsLines.ed25519]);
    const t = transport(endpointFor(sshd), { knownHostsFiles: [file] });
    expect((await t.exec(['true'], { timeoutMs: 10_000 })).exitCode).toBe(0);
  });

  it('connects when security-key and certificate lines sit beside a valid key', async () => {
    const id = `[127.0.0.1]:${sshd.port}`;
    const file = knownHosts('kh-unsupported', [
      `${id} sk-ssh-ed25519@openssh.com ${sshd.hostKeys.ed25519}`,
      `${id} ssh-ed25519-cert-v01@openssh.com ${sshd.hostKeys.ed25519}`,
      sshd.knownHostsLines.ed25519,
    ]);
    const t = transport(endpointFor(sshd), { knownHostsFiles: [file] });
    expect((await t.exec(['true'], { timeoutMs: 10_000 })).exitCode).toBe(0);
  });

  it('refuses with a clear error when --accept-new cannot record the key', async () => {
    const empty = knownHosts('kh-empty', []);
    // A path under a regular file: unwritable even for root.
    const acceptNewTo = join(sshd.identityFile, 'known_hosts');
    // A short backoff, so the second try below is a new connection and not the first failure repeated.
    const t = transport(endpointFor(sshd), {
      knownHostsFiles: [empty],
      acceptNewTo,
      backoffMinMs: 50,
      backoffMaxMs: 50,
    });
    const f = await failureOf(t.exec(['true'], { timeoutMs: 10_000 }));
    expect(f.detail.kind).toBe('permission');
    expect(f.detail.message).toContain(`cannot record the new host key`);
    expect(f.detail.message).toContain(acceptNewTo);
    // A second connection fails the same way, not with an unhandled rejection.
    await eventually(() => t.retryInMs() === 0, 2000);
    const again = await failureOf(t.exec(['true'], { timeoutMs: 10_000 }));
    expect(again.detail.kind).toBe('permission');
    expect(again.detail.message).not.toContain('retry in');
  });

  it('records a new key once when several connections accept it at the same time', async () => {
    const empty = knownHosts('kh-empty2', []);
    const acceptNewTo = join(sshd.dir, 'lvstop-state', 'known_hosts');
    const ts = Array.from({ length: 4 }, () =>
      transport(endpointFor(sshd), { knownHostsFiles: [empty, acceptNewTo], acceptNewTo }),
    );
    const results = await Promise.all(ts.map((t) => t.exec(['true'], { timeoutMs: 10_000 })));
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
    const lines = readFileSync(acceptNewTo, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `));
  });
});

describe('what the ssh config sets for the endpoint', () => {
  const knownHosts = (name: string, lines: string[]) => {
    const file = join(sshd.dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const keyOnly = () => sshd.knownHostsLines.ed25519.split(' ').slice(1).join(' ');

  it("HostKeyAlias: the key is looked up under the alias, in the endpoint's own known_hosts files", async () => {
    const empty = knownHosts('kh-none', []);
    const aliased = knownHosts('kh-alias', [`lb-primary ${keyOnly()}`]);
    const t = transport(endpointFor(sshd, { hostKeyAlias: 'lb-primary', knownHostsFiles: [aliased] }), {
      knownHostsFiles: [empty],
    });
    expect((await t.exec(['true'], { timeoutMs: 10_000 })).exitCode).toBe(0);
    // Without the alias the same files do not vouch for [127.0.0.1]:port.
    const plain = transport(endpointFor(sshd, { knownHostsFiles: [aliased] }), { knownHostsFiles: [empty] });
    expect((await failureOf(plain.exec(['true'], { timeoutMs: 10_000 }))).detail.kind).toBe('host-key-unknown');
  });

  it("StrictHostKeyChecking accept-new records the key in lvstop's own known_hosts, under the alias", async () => {
    const empty = knownHosts('kh-none2', []);
    const own = join(sshd.dir, 'lvstop-own', 'known_hosts');
    const t = transport(endpointFor(sshd, { acceptNew: true, hostKeyAlias: 'lb-new' }), {
      knownHostsFiles: [empty],
      lvstopKnownHosts: own,
    });
    expect((await t.exec(['true'], { timeoutMs: 10_000 })).exitCode).toBe(0);
    expect(readFileSync(own, 'utf8')).toMatch(/^lb-new ssh-ed25519 /);
    expect(readFileSync(empty, 'utf8')).toBe('\n');
  });

  it('tries every IdentityFile in order: a missing and an unreadable one are skipped', async () => {
    const junk = join(sshd.dir, 'not-a-key');
    writeFileSync(junk, 'not a key\n');
    const t = transport(endpointFor(sshd, { identityFiles: [join(sshd.dir, 'missing_key'), junk, sshd.identityFile] }));
    expect((await t.exec(['true'], { timeoutMs: 10_000 })).exitCode).toBe(0);
  });
});

describe('host certificates', () => {
  let certified: PrivateSshd;
  beforeAll(async () => {
    certified = await startPrivateSshd({ hostCertificate: true });
  });
  afterAll(() => certified.stop());

  it('names the ssh2 limitation when only a @cert-authority line vouches for the host', async () => {
    const file = join(certified.dir, 'kh-ca');
    writeFileSync(file, `@cert-authority [127.0.0.1]:${certified.port} ${certified.caPublicKey}\n`);
    const t = transport(endpointFor(certified), { knownHostsFiles: [file] });
    const f = await failureOf(t.exec(['true'], { timeoutMs: 10_000 }));
    expect(f.detail.kind).toBe('host-key-unknown');
    expect(f.detail.message).toContain(`@cert-authority line (${file}:1)`);
    expect(f.detail.message).toContain('cannot negotiate host certificates');
  });
});

describe('ProxyCommand', () => {
  it('connects through the command and ends it with the connection', async () => {
    // bash's /dev/tcp stands in for `nc %h %p`: real processes relaying the connection over stdin and stdout. The
    // relay's cats would end by themselves when the connection closes; the sleep beside them would not, so only
    // ending the command's process group with the connection leaves none behind.
    const pidFile = join(sshd.dir, 'relay.pid');
    const relay = `bash -c 'echo $$ > ${pidFile}; sleep 30 </dev/null >/dev/null 2>&1 & exec 3<>/dev/tcp/%h/%p; cat <&3 & exec cat >&3'`;
    const t = transport(endpointFor(sshd, { proxyCommand: relay }));
    const r = await t.exec(['sh', '-c', 'echo $SSH_CONNECTION'], { timeoutMs: 10_000 });
    expect(r.stdout).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+\n$/);
    const group = Number(readFileSync(pidFile, 'utf8'));
    expect(liveGroupMembers(group)).toHaveLength(3);
    await t.close();
    // The relay's group is sent SIGKILL at close; the kernel takes a moment to end its processes.
    await eventually(() => liveGroupMembers(group).length === 0, 2000);
  });

  it('reports a command that fails with its exit status and stderr', async () => {
    const t = transport(endpointFor(sshd, { proxyCommand: `sh -c 'echo "no route to %h" >&2; exit 7'` }));
    const f = await failureOf(t.exec(['true'], { timeoutMs: 10_000 }));
    expect(f.detail.kind).toBe('unreachable');
    expect(f.detail.message).toContain('exited 7: no route to 127.0.0.1');
  });
});

/** Live (not zombie) processes of a process group. */
function liveGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return state !== 'Z' && Number(pgrp) === pgid;
      } catch {
        return false;
      }
    })
    .map(Number);
}
