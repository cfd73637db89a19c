import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  readonly patterns: readonly string[];
  readonly keyType: string;
  readonly keyBase64: string;
  readonly marker?: '@revoked' | '@cert-authority';
  readonly file: string;
  readonly line: number;
}

export type HostKeyVerdict =
  | { readonly kind: 'match'; readonly entry: KnownHostEntry }
  | { readonly kind: 'unknown'; readonly hostId: string; readonly fingerprint: string }
  | {
      readonly kind: 'mismatch';
      readonly hostId: string;
      readonly fingerprint: string;
      readonly expected: readonly { readonly fingerprint: string; readonly file: string; readonly line: number }[];
    }
  | { readonly kind: 'revoked'; readonly hostId: string; readonly fingerprint: string; readonly entry: KnownHostEntry };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostId(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** SHA256 fingerprint as `ssh-keygen -l` prints it. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (first length-prefixed string). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return '';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority')
      marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) return;
    entries.push({
      patterns: hosts.split(','),
      keyType,
      keyBase64,
      ...(marker ? { marker } : {}),
      file,
      line: index + 1,
    });
  });
  return entries;
}

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function patternMatches(pattern: string, id: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(id).digest('base64');
    return digest === hash;
  }
  if (pattern.includes('*') || pattern.includes('?')) return wildcardToRegExp(pattern).test(id);
  return pattern.toLowerCase() === id.toLowerCase();
}

/** OpenSSH semantics: any negated pattern that matches excludes the line. */
export function entryMatchesHost(entry: KnownHostEntry, id: string): boolean {
  let matched = false;
  for (const pattern of entry.patterns) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), id)) return false;
    } else if (patternMatches(pattern, id)) matched = true;
  }
  return matched;
}

export function verifyHostKey(entries: readonly KnownHostEntry[], id: string, keyBlob: Buffer): HostKeyVerdict {
  const keyBase64 = keyBlob.toString('base64');
  const fingerprint = fingerprintSha256(keyBlob);
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && entryMatchesHost(e, id));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.keyBase64 === keyBase64);
  if (revoked) return { kind: 'revoked', hostId: id, fingerprint, entry: revoked };
  const match = forHost.find((e) => !e.marker && e.keyBase64 === keyBase64);
  if (match) return { kind: 'match', entry: match };
  const presentedType = keyTypeOfBlob(keyBlob);
  const sameType = forHost.filter((e) => !e.marker && e.keyType === presentedType);
  const others = sameType.length > 0 ? sameType : forHost.filter((e) => !e.marker);
  if (others.length === 0) return { kind: 'unknown', hostId: id, fingerprint };
  return {
    kind: 'mismatch',
    hostId: id,
    fingerprint,
    expected: others.map((e) => ({
      fingerprint: fingerprintSha256(Buffer.from(e.keyBase64, 'base64')),
      file: e.file,
      line: e.line,
    })),
  };
}

/** Key types already known for a host, so the handshake asks for one of those first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], id: string): string[] {
  return [...new Set(entries.filter((e) => !e.marker && entryMatchesHost(e, id)).map((e) => e.keyType))];
}

export async function loadKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    try {
      all.push(...parseKnownHosts(await readFile(file, 'utf8'), file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return all;
}

export async function appendKnownHost(file: string, id: string, keyBlob: Buffer): Promise<KnownHostEntry> {
  await mkdir(dirname(file), { recursive: true });
  const keyType = keyTypeOfBlob(keyBlob);
  const keyBase64 = keyBlob.toString('base64');
  await appendFile(file, `${id} ${keyType} ${keyBase64}\n`, { mode: 0o600 });
  return { patterns: [id], keyType, keyBase64, file, line: 0 };
}
