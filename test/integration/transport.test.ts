import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureOf } from '../support/failure-of.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ResolvedConfig } from '../../src/config/load-config.js';
import { createTransport } from '../../src/transport/create-transport.js';
import type { SshEndpoint } from '../../src/transport/endpoint.js';
import { SshTransport } from '../../src/transport/ssh-transport.js';
import type { TransportFailure } from '../../src/transport/transport-error.js';
import { eventually, LAB, LAB_CONFIG, labCommand } from '../support/lab.js';

let resolved: ResolvedConfig;
const opened: SshTransport[] = [];

function endpointOf(host: string): SshEndpoint {
  const h = resolved.hosts.get(host);
  if (h?.transport !== 'ssh') throw new Error(`${host} is not an ssh host`);
  return h.endpoint;
}

/** A transport to `host`; given `knownHostsFiles`, those are the only ones (not also the ssh config's). */
function transportFor(host: string, knownHostsFiles?: string[], acceptNewTo?: string): SshTransport {
  const endpoint = knownHostsFiles ? { ...endpointOf(host), knownHostsFiles: [] } : endpointOf(host);
  const t = new SshTransport(endpoint, {
    knownHostsFiles: knownHostsFiles ?? resolved.knownHostsFiles,
    ...(acceptNewTo ? { acceptNewTo } : {}),
    connectTimeoutMs: 20_000,
    backoffMinMs: 200,
    backoffMaxMs: 1000,
  });
  opened.push(t);
  return t;
}

beforeAll(async () => {
  resolved = await loadConfig(LAB_CONFIG);
});
afterAll(async () => {
  await Promise.all(opened.map((t) => t.close()));
});

describe('SSH transport against the lab sshd', () => {
  it('runs argv commands under LC_ALL=C and reports exit codes', async () => {
    const t = transportFor('director1');
    const r = await t.exec(['sh', '-c', 'echo "$LC_ALL" "$1"; exit 3', 'x', "it's a $(test)"], { timeoutMs: 20_000 });
    expect(r.stdout).toBe("C it's a $(test)\n");
    expect(r.exitCode).toBe(3);
  });

  it('connects through a jump host (ProxyJump)', async () => {
    const t = transportFor('real1');
    const hostname = await t.exec(['hostname'], { timeoutMs: 20_000 });
    expect(hostname.stdout.trim()).toBe('real1');
    // The lab config reaches real1 either directly or through nat-director; the alias real1-via-jump always jumps.
    const jump = new SshTransport(
      {
        ...endpointOf('real1'),
        name: 'real1-via-jump',
        host: '192.168.60.99',
        port: 22,
        jump: endpointOf('nat-director'),
      },
      { knownHostsFiles: resolved.knownHostsFiles },
    );
    opened.push(jump);
    const r = await jump.exec(['hostname'], { timeoutMs: 30_000 });
    expect(r.stdout.trim()).toBe('real1');
  });

  it('refuses an unknown host key, and records it only with --accept-new', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-kh-'));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const refused = await failureOf(transportFor('director2', [empty]).exec(['true'], { timeoutMs: 20_000 }));
    expect(refused.detail.kind).toBe('host-key-unknown');
    expect(refused.detail.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    const own = join(dir, 'own');
    const accepted = await transportFor('director2', [empty, own], own).exec(['true'], { timeoutMs: 20_000 });
    expect(accepted.exitCode).toBe(0);
    expect(readFileSync(own, 'utf8')).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /);
  });

  it('refuses a changed host key loudly, with both fingerprints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-kh-'));
    const swapped = join(dir, 'known_hosts');
    copyFileSync(join(LAB, 'known_hosts'), swapped);
    const lines = readFileSync(swapped, 'utf8').trim().split('\n');
    const d1 = lines.find((l) => l.startsWith(`[127.0.0.1]:${endpointOf('director1').port} `))!;
    const d2 = lines.find((l) => l.startsWith(`[127.0.0.1]:${endpointOf('director2').port} `))!;
    // director1's name with director2's key: what a man in the middle would look like.
    writeFileSync(swapped, `${d1.split(' ')[0]} ${d2.split(' ').slice(1).join(' ')}\n`);
    const f = await failureOf(transportFor('director1', [swapped]).exec(['true'], { timeoutMs: 20_000 }));
    expect(f.detail.kind).toBe('host-key-mismatch');
    const prints = f.detail.message.match(/SHA256:[A-Za-z0-9+/]{43}/g) ?? [];
    expect(new Set(prints).size).toBe(2);
    expect(f.detail.message).toMatch(/HOST KEY CHANGED/);
  });

  it('kills a command that outlives its timeout', async () => {
    const t = transportFor('director1');
    const started = Date.now();
    const f = await failureOf(t.exec(['sleep', '30'], { timeoutMs: 1500 }));
    expect(f.detail.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
    // The connection stays usable.
    expect((await t.exec(['true'], { timeoutMs: 20_000 })).exitCode).toBe(0);
  });

  it('goes down when sshd dies and reconnects when it is back', async () => {
    const t = transportFor('web2');
    expect((await t.exec(['true'], { timeoutMs: 20_000 })).exitCode).toBe(0);
    await labCommand('fault', 'kill-sshd', 'web2');
    try {
      const down = await eventually(async () => {
        try {
          await t.exec(['true'], { timeoutMs: 5000 });
          return undefined;
        } catch (err) {
          return err as TransportFailure;
        }
      }, 30_000);
      expect(['unreachable', 'closed', 'timeout']).toContain(down.detail.kind);
    } finally {
      await labCommand('fault', '--repair', 'kill-sshd', 'web2');
    }
    const back = await eventually(
      async () => (await t.exec(['hostname'], { timeoutMs: 10_000 }).catch(() => undefined))?.stdout.trim(),
      60_000,
      1000,
    );
    expect(back).toBe('web2');
  });

  it('creates a local transport for transport: "local" hosts', async () => {
    const cfg = { ...resolved, hosts: new Map([['here', { name: 'here', transport: 'local' as const, sudo: false }]]) };
    const t = createTransport(cfg, 'here');
    const r = await t.exec(['sh', '-c', 'echo "$LC_ALL"'], { timeoutMs: 5000 });
    expect(r.stdout).toBe('C\n');
  });
});
