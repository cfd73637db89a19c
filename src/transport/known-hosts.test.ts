import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  fingerprintSha256,
  hostId,
  loadKnownHosts,
  parseKnownHosts,
  verifyHostKey,
} from './known-hosts.js';

/** Real keys from ssh-keygen, so fingerprints are compared with what OpenSSH itself prints. */
let dir: string;
const keys: Record<string, { blob: Buffer; line: string; fingerprint: string }> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-kh-'));
  for (const [name, type] of [
    ['a', 'ed25519'],
    ['b', 'ed25519'],
    ['c', 'ecdsa'],
  ] as const) {
    const file = join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
    const line = readFileSync(`${file}.pub`, 'utf8').trim();
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], {
      encoding: 'utf8',
    }).split(' ')[1]!;
    keys[name] = { blob: Buffer.from(line.split(' ')[1]!, 'base64'), line, fingerprint };
  }
});

const entry = (hosts: string, k: { line: string }) => `${hosts} ${k.line.split(' ').slice(0, 2).join(' ')}`;

describe('known_hosts', () => {
  it('computes SHA256 fingerprints exactly as ssh-keygen prints them', () => {
    expect(fingerprintSha256(keys.a!.blob)).toBe(keys.a!.fingerprint);
    expect(fingerprintSha256(keys.c!.blob)).toBe(keys.c!.fingerprint);
  });

  it('names non-22 ports as [host]:port', () => {
    expect(hostId('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(hostId('127.0.0.1', 2204)).toBe('[127.0.0.1]:2204');
  });

  it('matches plain, bracketed and comma-listed entries', () => {
    const text = [entry('director1,10.18.11.11', keys.a!), entry('[127.0.0.1]:2204', keys.b!)].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(verifyHostKey(entries, '10.18.11.11', keys.a!.blob).kind).toBe('match');
    expect(verifyHostKey(entries, '[127.0.0.1]:2204', keys.b!.blob).kind).toBe('match');
    expect(verifyHostKey(entries, '[127.0.0.1]:2205', keys.b!.blob).kind).toBe('unknown');
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `${entry('[127.0.0.1]:2201', keys.a!)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('|1|')).toBe(true);
    const entries = parseKnownHosts(text, file);
    expect(verifyHostKey(entries, '[127.0.0.1]:2201', keys.a!.blob).kind).toBe('match');
    expect(verifyHostKey(entries, '[127.0.0.1]:2202', keys.a!.blob).kind).toBe('unknown');
  });

  it('reports a changed key with both fingerprints', () => {
    const entries = parseKnownHosts(entry('[127.0.0.1]:2204', keys.a!), 'kh');
    const verdict = verifyHostKey(entries, '[127.0.0.1]:2204', keys.b!.blob);
    expect(verdict).toMatchObject({
      kind: 'mismatch',
      fingerprint: keys.b!.fingerprint,
      expected: [{ fingerprint: keys.a!.fingerprint, file: 'kh', line: 1 }],
    });
  });

  it('honours wildcards, negation and @revoked', () => {
    const text = [
      entry('10.18.11.*,!10.18.11.99', keys.a!),
      `@revoked * ${keys.c!.line.split(' ').slice(0, 2).join(' ')}`,
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(verifyHostKey(entries, '10.18.11.21', keys.a!.blob).kind).toBe('match');
    expect(verifyHostKey(entries, '10.18.11.99', keys.a!.blob).kind).toBe('unknown');
    expect(verifyHostKey(entries, '10.18.11.21', keys.c!.blob).kind).toBe('revoked');
  });

  it('records an accepted key in a form that verifies next time', async () => {
    const file = join(dir, 'sub', 'known_hosts');
    await appendKnownHost(file, '[127.0.0.1]:2209', keys.b!.blob);
    const entries = await loadKnownHosts([file, join(dir, 'missing')]);
    expect(verifyHostKey(entries, '[127.0.0.1]:2209', keys.b!.blob).kind).toBe('match');
  });
});
