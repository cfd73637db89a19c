import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { failureOf } from '../../test/support/failure-of.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshEndpoint } from './endpoint.js';
import { SshTransport, type SshTransportOptions } from './ssh-transport.js';
import { MAX_STDERR_BYTES } from './transport.js';
import { freePort, startPrivateSshd, type PrivateSshd } from '../../test/support/private-sshd.js';

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
  it('returns 8 MiB of output in one piece, the marker found without rescanning', async () => {
    const t = transport(endpointFor(sshd));
    const size = 8 * 1024 * 1024 - 1024;
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
    const r = await t.execShell('head -c 2000000 /dev/zero | tr "\\0" e >&2; sleep 0.5; echo ok', {
      timeoutMs: 30_000,
    });
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toBe('e'.repeat(MAX_STDERR_BYTES));
  });

  it('keeps multi-byte characters split across packets intact', async () => {
    const t = transport(endpointFor(sshd));
    const r = await t.execShell(`i=0; while [ $i -lt 20000 ]; do printf '集群'; i=$((i+1)); done`, {
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
    const f = await failureOf(t.exec(['true'], { timeoutMs: 5000 }));
    expect(f.detail.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(4000);
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
    const f = await failureOf(t.exec(['sleep', '30'], { timeoutMs: 1000 }));
    expect(f.detail.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await t.exec(['true'], { timeoutMs: 10_000 })).exitCode).toBe(0);
  });
});
