import { createHash } from 'node:crypto';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';

/** What OpenSSH's `%` tokens stand for, for one connection. */
export interface TokenContext {
  /** %n: the alias as given. */
  readonly alias: string;
  /** %h: the host name connected to. */
  readonly host: string;
  /** %p */
  readonly port: number;
  /** %r: the remote user. */
  readonly user: string;
  /** %k: HostKeyAlias, or the alias. */
  readonly hostKeyAlias?: string;
  /** %j: ProxyJump, or empty (also hashed into %C, as OpenSSH 9.4 and later do). */
  readonly proxyJump?: string;
}

function localUser(): { name: string; uid: number; home: string } {
  try {
    const u = userInfo();
    return { name: u.username, uid: u.uid, home: process.env.HOME || u.homedir };
  } catch {
    return { name: process.env.USER ?? '', uid: process.getuid?.() ?? -1, home: homedir() };
  }
}

/** `~` and `~/…` as OpenSSH's tilde_expand_filename() reads them (the home directory of the local user). */
export function expandTilde(path: string): string {
  if (path === '~') return localUser().home;
  if (path.startsWith('~/')) return join(localUser().home, path.slice(2));
  return path;
}

/**
 * The tokens OpenSSH expands in IdentityFile, UserKnownHostsFile and IdentityAgent (ssh_config(5) TOKENS):
 * %% %C %d %h %i %j %k %L %l %n %p %r %u, and `${VAR}` from the environment. An unknown token stays as it is.
 */
export function expandTokens(text: string, ctx: TokenContext): string {
  const me = localUser();
  const long = hostname();
  const jump = ctx.proxyJump ?? '';
  const values: Record<string, () => string> = {
    '%': () => '%',
    C: () => createHash('sha1').update(`${long}${ctx.host}${ctx.port}${ctx.user}${jump}`).digest('hex'),
    d: () => me.home,
    h: () => ctx.host,
    i: () => String(me.uid),
    j: () => jump,
    k: () => ctx.hostKeyAlias ?? ctx.alias,
    L: () => long.split('.')[0]!,
    l: () => long,
    n: () => ctx.alias,
    p: () => String(ctx.port),
    r: () => ctx.user,
    u: () => me.name,
  };
  const percent = text.replace(/%(.)/g, (whole, t: string) => values[t]?.() ?? whole);
  return percent.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => process.env[name] ?? whole);
}

/** A path directive's value: `~` first, then tokens (OpenSSH's order). */
export const expandPathTokens = (path: string, ctx: TokenContext) => expandTokens(expandTilde(path), ctx);
