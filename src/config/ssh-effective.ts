import { userInfo } from 'node:os';
import type { AliasSettings } from './ssh-alias.js';
import { expandPathTokens, type TokenContext } from './ssh-tokens.js';

/** What lvstop's config (or a `user@host:port` name) sets for a host: it wins over the ssh config. */
export interface SshOverrides {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly proxyJump?: string;
}

/** One alias's connection settings as `ssh -G` would print them, with lvstop's overrides applied. */
export interface EffectiveSsh extends Pick<
  AliasSettings,
  | 'identityFiles'
  | 'globalKnownHostsFiles'
  | 'strictHostKeyChecking'
  | 'hostKeyAlias'
  | 'connectTimeoutSec'
  | 'serverAliveIntervalSec'
  | 'serverAliveCountMax'
  | 'identitiesOnly'
> {
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
  /** `~` and tokens expanded; undefined when the ssh config sets none, `[]` for `none`. */
  readonly userKnownHostsFiles?: readonly string[];
  /** `none`, `SSH_AUTH_SOCK`, or a socket path with `~` and tokens expanded. */
  readonly identityAgent?: string;
  readonly proxyJump?: string;
  /** For expanding IdentityFile (stated unexpanded, as `ssh -G` prints it) the way OpenSSH does for this connection. */
  readonly tokens: TokenContext;
}

const localUser = () => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
};

export function effectiveSsh(alias: string, s: AliasSettings, o: SshOverrides = {}): EffectiveSsh {
  const hostName = o.host ?? s.hostName ?? alias.toLowerCase();
  const port = o.port ?? s.port ?? 22;
  const user = o.user ?? s.user ?? localUser();
  const proxyJump = o.proxyJump ?? s.proxyJump;
  const tokens: TokenContext = {
    alias,
    host: hostName,
    port,
    user,
    ...(s.hostKeyAlias !== undefined ? { hostKeyAlias: s.hostKeyAlias } : {}),
    ...(proxyJump !== undefined ? { proxyJump } : {}),
  };
  const agent = s.identityAgent;
  return {
    hostName,
    port,
    user,
    identityFiles: s.identityFiles,
    ...(s.userKnownHostsFiles
      ? { userKnownHostsFiles: s.userKnownHostsFiles.map((f) => expandPathTokens(f, tokens)) }
      : {}),
    ...(s.globalKnownHostsFiles ? { globalKnownHostsFiles: s.globalKnownHostsFiles } : {}),
    ...(s.strictHostKeyChecking ? { strictHostKeyChecking: s.strictHostKeyChecking } : {}),
    ...(s.hostKeyAlias !== undefined ? { hostKeyAlias: s.hostKeyAlias } : {}),
    ...(s.connectTimeoutSec !== undefined ? { connectTimeoutSec: s.connectTimeoutSec } : {}),
    ...(s.serverAliveIntervalSec !== undefined ? { serverAliveIntervalSec: s.serverAliveIntervalSec } : {}),
    ...(s.serverAliveCountMax !== undefined ? { serverAliveCountMax: s.serverAliveCountMax } : {}),
    ...(agent !== undefined
      ? { identityAgent: agent === 'none' || agent === 'SSH_AUTH_SOCK' ? agent : expandPathTokens(agent, tokens) }
      : {}),
    ...(s.identitiesOnly !== undefined ? { identitiesOnly: s.identitiesOnly } : {}),
    ...(proxyJump !== undefined ? { proxyJump } : {}),
    tokens,
  };
}

/** An IdentityFile with `~` and tokens expanded for this connection. */
export const expandIdentityFile = (file: string, e: EffectiveSsh) => expandPathTokens(file, e.tokens);

/** The agent socket to use: IdentityAgent, else SSH_AUTH_SOCK; undefined for `none` or when there is none. */
export function agentSocket(e: EffectiveSsh, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const a = e.identityAgent;
  if (a === 'none') return undefined;
  if (a === undefined || a === 'SSH_AUTH_SOCK') return env.SSH_AUTH_SOCK || undefined;
  // `$VAR` alone names a variable that holds the socket (ssh_config(5) IdentityAgent).
  const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(a);
  if (variable) return env[variable[1]!] || undefined;
  return a;
}
