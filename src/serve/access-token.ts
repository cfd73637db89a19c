import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** A bearer token a TCP client must present; its name goes into the audit log beside the declared operator. */
export interface AccessToken {
  readonly name: string;
  readonly digest: Buffer;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Read a token file: one token per line, `NAME:TOKEN` or a bare `TOKEN` (named `token`); `#` starts a comment.
 * Throws with a clear message (and how to fix it) when the file holds no token, is not owned by the user serve runs
 * as (`uid`), or can be read or written by its group or others.
 */
export async function loadAccessTokens(file: string, uid = process.getuid?.()): Promise<AccessToken[]> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`token file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  if (uid !== undefined && info.uid !== uid)
    throw new Error(
      `token file ${file}: owned by uid ${info.uid}, not by the user serve runs as (uid ${uid}); chown ${uid} ${file} (and chmod 600 it), or run serve as its owner`,
    );
  if ((info.mode & 0o077) !== 0)
    throw new Error(
      `token file ${file}: its group or others may read or write it (mode ${(info.mode & 0o777).toString(8).padStart(3, '0')}); chmod 600 ${file}`,
    );
  const tokens = (await readFile(file, 'utf8'))
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const colon = line.indexOf(':');
      const [name, token] = colon > 0 ? [line.slice(0, colon), line.slice(colon + 1)] : ['token', line];
      return { name, token };
    });
  const short = tokens.find((t) => t.token.length < 16);
  if (short) throw new Error(`token file ${file}: token "${short.name}" is shorter than 16 characters`);
  if (tokens.length === 0) throw new Error(`token file ${file}: no token in it`);
  return tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
}

/** The token a presented secret matches, compared in constant time against every token (no early exit). */
export function matchAccessToken(tokens: readonly AccessToken[], presented: string): AccessToken | undefined {
  const d = digest(presented);
  let found: AccessToken | undefined;
  for (const t of tokens) if (timingSafeEqual(t.digest, d) && !found) found = t;
  return found;
}

/** The bearer secret of an `Authorization` header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
