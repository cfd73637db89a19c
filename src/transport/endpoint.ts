/** Where and how to reach one host over SSH: what the config resolves and the SSH transport connects to. */
export interface SshEndpoint {
  /** The name the operator knows the host by (config key or ssh alias). */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFiles: readonly string[];
  /** Path of the ssh-agent socket, when agent auth is allowed. */
  readonly agent?: string;
  /** The first hop of a ProxyJump chain, itself possibly jumping. */
  readonly jump?: SshEndpoint;
  /** known_hosts files the ssh config names for this host (UserKnownHostsFile, GlobalKnownHostsFile): read too. */
  readonly knownHostsFiles?: readonly string[];
  /** HostKeyAlias: the host key is looked up, and recorded, under this name (no port), as OpenSSH does. */
  readonly hostKeyAlias?: string;
  /** StrictHostKeyChecking accept-new: an unknown key is recorded in lvstop's own known_hosts, never a changed one. */
  readonly acceptNew?: boolean;
  /** ConnectTimeout, in ms (else the transport's default). */
  readonly connectTimeoutMs?: number;
  /** ServerAliveInterval, in ms (else the transport's default). */
  readonly keepaliveIntervalMs?: number;
  /** ServerAliveCountMax. */
  readonly keepaliveCountMax?: number;
  /** IdentitiesOnly: of the agent's keys, only those of identityFiles are offered. */
  readonly identitiesOnly?: boolean;
  /** An ssh config ProxyCommand (`%h`, `%p`, `%r` still unexpanded): its stdin/stdout become the connection. */
  readonly proxyCommand?: string;
}
