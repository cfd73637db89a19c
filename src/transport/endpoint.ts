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
  /** An ssh config ProxyCommand (`%h`, `%p`, `%r` still unexpanded): its stdin/stdout become the connection. */
  readonly proxyCommand?: string;
}
