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
 * Throws with a clear message when the file holds no token or can be read by others than its owner and group.
 */
export async function loadAccessTokens(file: string): Promise<AccessToken[]> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`token file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  if ((info.mode & 0o007) !== 0)
    throw new Error(`token file ${file}: readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
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
