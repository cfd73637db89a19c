import { createHash, createHmac, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Host key types the SSH library (ssh2) can verify, in OpenSSH's default preference order. Lines of other types
 * (`sk-ssh-ed25519@openssh.com`, `*-cert-v01@openssh.com`, future ones) are skipped, as OpenSSH skips lines it
 * cannot use: they never decide a verdict and never reach the handshake's algorithm list.
 */
export const SUPPORTED_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'ssh-dss',
] as const;
const supported = new Set<string>(SUPPORTED_KEY_TYPES);

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
  | {
      readonly kind: 'unknown';
      readonly hostId: string;
      readonly fingerprint: string;
      /** A @cert-authority line that covers this host: trusted by OpenSSH through a host certificate. */
      readonly certAuthority?: KnownHostEntry;
    }
  | {
      readonly kind: 'mismatch';
      readonly hostId: string;
      readonly fingerprint: string;
      readonly expected: readonly { readonly fingerprint: string; readonly file: string; readonly line: number }[];
    }
  | { readonly kind: 'revoked'; readonly hostId: string; readonly fingerprint: string; readonly entry: KnownHostEntry };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise; lowercased, as OpenSSH does. */
export function hostId(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
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
    if (!supported.has(keyType)) return;
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

/** `*` and `?` glob, case-insensitive. */
export function wildcardMatches(pattern: string, text: string): boolean {
  return globMatches(pattern.toLowerCase(), text.toLowerCase());
}

/** `*` any run, `?` one character (OpenSSH's match_pattern), greedy with one backtrack point: no regular expression, no blow-up. */
export function globMatches(pattern: string, text: string): boolean {
  const p = pattern;
  const t = text;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi += 1;
      ti += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      pi += 1;
      resume = ti;
    } else if (star >= 0) {
      pi = star + 1;
      resume += 1;
      ti = resume;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}

function patternMatches(pattern: string, id: string): boolean {
  const name = id.toLowerCase();
  if (pattern.startsWith('|1|')) {
    // OpenSSH's hashed host name: |1|base64(salt)|base64(HMAC-SHA1(salt, host)).
    const [, salt, hash] = /^\|1\|([^|]+)\|([^|]+)$/.exec(pattern) ?? [];
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  if (pattern.includes('*') || pattern.includes('?')) return wildcardMatches(pattern, name);
  return pattern.toLowerCase() === name;
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
  if (others.length === 0) {
    const certAuthority = entries.find((e) => e.marker === '@cert-authority' && entryMatchesHost(e, id));
    return { kind: 'unknown', hostId: id, fingerprint, ...(certAuthority ? { certAuthority } : {}) };
  }
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

/**
 * Key types already known for a host, in OpenSSH's preference order (not file order), so the handshake asks for one
 * of those first and a stale line of another type does not decide which key the server shows.
 */
export function knownKeyTypes(entries: readonly KnownHostEntry[], id: string): string[] {
  const known = new Set(entries.filter((e) => !e.marker && entryMatchesHost(e, id)).map((e) => e.keyType));
  return SUPPORTED_KEY_TYPES.filter((t) => known.has(t));
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

const writes = new Map<string, Promise<unknown>>();

const LOCK_WAIT_MS = 5000;
const LOCK_STALE_MS = 10_000;

/** Another lvstop (a headless command beside the console) may be recording keys too: a lock file serialises them. */
async function withLockFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held by another process`);
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Record an accepted key: one write at a time per file (in this process, and across processes through a lock file),
 * the file re-read first (a line already there is not written again), written to a temporary file and renamed over the old one (never a torn file), mode 0600 in
 * a directory created 0700.
 */
export function appendKnownHost(file: string, id: string, keyBlob: Buffer): Promise<KnownHostEntry> {
  const keyType = keyTypeOfBlob(keyBlob);
  const keyBase64 = keyBlob.toString('base64');
  const write = async (): Promise<KnownHostEntry> => {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    return withLockFile(file, () => rewrite());
  };
  const rewrite = async (): Promise<KnownHostEntry> => {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const existing = parseKnownHosts(text, file).find(
      (e) => !e.marker && e.keyBase64 === keyBase64 && entryMatchesHost(e, id),
    );
    if (existing) return existing;
    // The rename would replace a file the operator made read-only: honour its mode as an append would.
    if (text !== '') await access(file, constants.W_OK);
    const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, `${body}${id} ${keyType} ${keyBase64}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(tmp, 0o600);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { patterns: [id], keyType, keyBase64, file, line: body === '' ? 1 : body.split('\n').length };
  };
  const next = (writes.get(file) ?? Promise.resolve()).then(write, write);
  const settled = next.catch(() => undefined);
  writes.set(file, settled);
  void settled.then(() => {
    if (writes.get(file) === settled) writes.delete(file);
  });
  return next;
}
