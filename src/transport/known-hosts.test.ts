import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scaled, until } from '../../test/support/until.js';
import {
  appendKnownHost,
  fingerprintSha256,
  hostId,
  knownKeyTypes,
  loadKnownHosts,
  parseKnownHosts,
  verifyHostKey,
  wildcardMatches,
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
    ['r', 'rsa'],
    ['ca', 'ed25519'],
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

afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  it('skips key types it cannot verify (security keys, certificates) instead of failing the host', () => {
    // A real certificate line, as `ssh-keygen -s` writes it, and a security-key line (its type name is enough:
    // ssh-keygen needs a token to make one).
    execFileSync('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-h', '-I', 'h', '-n', 'director1', join(dir, 'a.pub')]);
    const cert = readFileSync(join(dir, 'a-cert.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const text = [
      `director1 ${cert}`,
      `director1 sk-ssh-ed25519@openssh.com ${keys.a!.line.split(' ')[1]}`,
      entry('director1', keys.a!),
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(entries.map((e) => e.keyType)).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes(entries, 'director1')).toEqual(['ssh-ed25519']);
    expect(verifyHostKey(entries, 'director1', keys.a!.blob)).toMatchObject({ kind: 'match', entry: { line: 3 } });
  });

  it('offers known key types in OpenSSH preference order, so a stale RSA line before a good ed25519 line is not asked for', () => {
    const entries = parseKnownHosts([entry('d', keys.r!), entry('d', keys.c!), entry('d', keys.a!)].join('\n'), 'kh');
    expect(knownKeyTypes(entries, 'd')).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa']);
    expect(verifyHostKey(entries, 'd', keys.a!.blob).kind).toBe('match');
  });

  it('accepts any matching line of the presented key type, whatever else the host has', () => {
    const entries = parseKnownHosts([entry('d', keys.b!), entry('d', keys.a!)].join('\n'), 'kh');
    expect(verifyHostKey(entries, 'd', keys.a!.blob)).toMatchObject({ kind: 'match', entry: { line: 2 } });
  });

  it('compares host names case-insensitively, hashed entries too', () => {
    const file = join(dir, 'hashed-case');
    writeFileSync(file, `${entry('director1.example.org', keys.a!)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const hashed = parseKnownHosts(readFileSync(file, 'utf8'), file);
    const plain = parseKnownHosts(entry('Director1.Example.org', keys.a!), 'kh');
    for (const entries of [hashed, plain])
      expect(verifyHostKey(entries, hostId('DIRECTOR1.example.ORG', 22), keys.a!.blob).kind).toBe('match');
  });

  it('matches wildcards in linear time', () => {
    expect(wildcardMatches('10.18.*.?1', '10.18.11.21')).toBe(true);
    expect(wildcardMatches('*.EXAMPLE.org', 'a.b.example.org')).toBe(true);
    expect(wildcardMatches('a*b', 'acb!')).toBe(false);
    const hostile = `${'*a'.repeat(40)}b`;
    const long = 'a'.repeat(5000);
    const started = performance.now();
    expect(wildcardMatches(hostile, long)).toBe(false);
    // Backtracking would take years here; linear matching takes milliseconds (the bound only catches the former).
    expect(performance.now() - started).toBeLessThan(scaled(1000));
  });

  it('names the @cert-authority limitation when only a CA line covers the host', () => {
    const entries = parseKnownHosts(
      `@cert-authority *.example.org ${keys.ca!.line.split(' ').slice(0, 2).join(' ')}`,
      'kh',
    );
    expect(verifyHostKey(entries, 'd1.example.org', keys.a!.blob)).toMatchObject({
      kind: 'unknown',
      certAuthority: { line: 1 },
    });
  });

  it('writes accepted keys atomically, 0600 in a 0700 directory, once under concurrent accepts', async () => {
    const sub = join(dir, 'fresh', 'lvstop');
    const file = join(sub, 'known_hosts');
    await Promise.all(Array.from({ length: 10 }, () => appendKnownHost(file, '[127.0.0.1]:2210', keys.a!.blob)));
    await appendKnownHost(file, '[127.0.0.1]:2211', keys.b!.blob);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toEqual([entry('[127.0.0.1]:2210', keys.a!), entry('[127.0.0.1]:2211', keys.b!)]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(sub).mode & 0o777).toBe(0o700);
    expect(readdirSync(sub)).toEqual(['known_hosts']);
  });

  it('waits for a lock file held by another process, and breaks one left stale', async () => {
    const file = join(dir, 'locked', 'known_hosts');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.lock`, '');
    // The writer's pauses between looks at the lock are on fake timers: parked in one, it has seen the lock held.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let done = false;
      const writing = appendKnownHost(file, 'h1', keys.a!.blob).then(() => (done = true));
      for (let look = 0; look < 3; look++) {
        await until(() => vi.getTimerCount() === 1 || done, 'the writer to pause on the held lock');
        expect(done).toBe(false);
        await vi.advanceTimersByTimeAsync(50);
      }
      await until(() => vi.getTimerCount() === 1 || done, 'the writer to pause on the held lock');
      expect(done).toBe(false);
      expect(existsSync(file)).toBe(false);
      rmSync(`${file}.lock`);
      await vi.advanceTimersByTimeAsync(50);
      await writing;
    } finally {
      vi.useRealTimers();
    }
    expect(readFileSync(file, 'utf8')).toBe(`${entry('h1', keys.a!)}\n`);
    writeFileSync(`${file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    await appendKnownHost(file, 'h2', keys.b!.blob);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readdirSync(dirname(file))).toEqual(['known_hosts']);
  });

  it('rejects with the reason when the file cannot be written', async () => {
    // root ignores permission bits: a path under a regular file fails for everyone.
    const file = join(dir, 'a.pub', 'known_hosts');
    await expect(appendKnownHost(file, 'h', keys.a!.blob)).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
