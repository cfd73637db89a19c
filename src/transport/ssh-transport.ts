import type { Client, ClientChannel } from 'ssh2';
import { debugLog } from '../debug-log.js';
import { ChannelLimiter } from './channel-limiter.js';
import { argvToCommand } from './command-line.js';
import type { SshEndpoint } from './endpoint.js';
import { expandProxyCommand, ProxyCommandSocket } from './proxy-command.js';
import { ShellSession } from './shell-session.js';
import { connectChain, type ChainOwner, type HopOptions } from './ssh-connect.js';
import { execOnClient } from './ssh-exec.js';
import { classifySshError, transportError, TransportFailure, type TransportError } from './transport-error.js';
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  type ConnectionState,
  type ExecOptions,
  type ExecResult,
  type Transport,
} from './transport.js';

export interface SshTransportOptions extends HopOptions {
  readonly maxChannels?: number;
  readonly sudo?: boolean;
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
}

/** The poll's long-lived shell: bash with no startup files where the host has bash (`command -v` is a builtin), else sh. */
const POLL_SHELL = 'command -v bash >/dev/null 2>&1 && exec bash --norc --noprofile; exec sh';

/** One SSH connection (through any ProxyJump chain) to one host, with its own reconnect backoff. */
export class SshTransport implements Transport {
  readonly host: string;
  private readonly endpoint: SshEndpoint;
  private readonly options: SshTransportOptions;
  private readonly limiter: ChannelLimiter;
  /** What connecting the chain hands back: its clients, its proxies, a hop's late error, a hop that is up. */
  private readonly chain: ChainOwner;
  private clients: Client[] = [];
  /** ProxyCommand processes serving as sockets of the current chain; ended with it. */
  private proxies: ProxyCommandSocket[] = [];
  private connecting: Promise<Client> | undefined;
  /** The long-lived shells: `sh` for polls (bash where the host has it), `bash` for probes, `bash <lane>` per lane. */
  private readonly shells = new Map<string, ShellSession>();
  private current: Client | undefined;
  private failures = 0;
  private retryAt = 0;
  private closedByUs = false;
  state: ConnectionState = 'idle';
  lastError: TransportError | undefined;

  constructor(endpoint: SshEndpoint, options: SshTransportOptions) {
    this.endpoint = endpoint;
    this.host = endpoint.name;
    this.options = options;
    this.limiter = new ChannelLimiter(options.maxChannels ?? 8);
    this.chain = {
      options,
      adopt: (client) => void this.clients.push(client),
      startProxy: (hop, command) => this.startProxy(hop, command),
      lateError: (hop, err) => {
        this.lastError = classifySshError(err, hop.name, 'connection').detail;
      },
      hopUp: (hop, client) => this.watchDrop(hop, client),
    };
  }

  /** Milliseconds until the next connection attempt is allowed (0 when it may go now). */
  retryInMs(now = Date.now()): number {
    return Math.max(0, this.retryAt - now);
  }

  /** Run a POSIX sh script in this host's long-lived shell (opened on first use, reopened after a failure). */
  execShell(script: string, options: ExecOptions): Promise<ExecResult> {
    return this.runInSession('sh', script, options);
  }

  /** Run a bash script in a second long-lived shell, bash, kept apart from the poll's (real-server probes), or a lane's. */
  execBash(script: string, options: ExecOptions): Promise<ExecResult> {
    return this.runInSession('bash', script, options);
  }

  private async runInSession(shell: 'sh' | 'bash', script: string, options: ExecOptions): Promise<ExecResult> {
    const client = await this.connect();
    const key = shell === 'bash' && options.lane !== undefined ? `bash ${options.lane}` : shell;
    let session = this.shells.get(key);
    if (!session?.alive) {
      // The poll's shell is bash where there is one (its builtins read, wait and tail without a process), else sh.
      const argv = shell === 'sh' ? ['sh', '-c', POLL_SHELL] : [shell];
      const command = argvToCommand(argv, { sudo: this.options.sudo ?? false });
      const stream = await new Promise<ClientChannel>((resolve, reject) => {
        client.exec(command, (err, s) => (err ? reject(classifySshError(err, this.host, 'open shell')) : resolve(s)));
      });
      session = new ShellSession(stream, this.host);
      this.shells.set(key, session);
    }
    return session.run(
      script,
      options.timeoutMs,
      options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      options.onStdout,
      options.inline ?? false,
      options.define,
    );
  }

  async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const command = argvToCommand(argv, { sudo: this.options.sudo ?? false });
    return this.limiter.run(async () => {
      const client = await this.connect();
      return execOnClient(client, this.host, command, options);
    });
  }

  async close(): Promise<void> {
    debugLog('ssh-close', { host: this.host });
    this.closedByUs = true;
    this.state = 'closed';
    const clients = this.clients;
    this.clients = [];
    this.current = undefined;
    await Promise.all(
      clients.reverse().map(
        (c) =>
          new Promise<void>((resolve) => {
            // A client still waiting for the server's banner only half-closes on end(): without destroy() its socket
            // (and the process) would stay until the connect timeout.
            const timer = setTimeout(() => {
              c.destroy();
              resolve();
            }, 1000);
            c.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            c.end();
          }),
      ),
    );
    this.endProxies();
  }

  private connect(): Promise<Client> {
    if (this.current) return Promise.resolve(this.current);
    if (this.closedByUs) return Promise.reject(transportError('closed', this.host, 'connect', 'transport closed'));
    if (this.connecting) return this.connecting;
    const wait = this.retryInMs();
    if (wait > 0 && this.lastError) {
      return Promise.reject(
        new TransportFailure({
          ...this.lastError,
          message: `${this.lastError.message} (retry in ${Math.ceil(wait / 1000)}s)`,
        }),
      );
    }
    this.state = 'connecting';
    debugLog('ssh-connect', {
      host: this.host,
      to: `${this.endpoint.user}@${this.endpoint.host}:${this.endpoint.port}`,
    });
    this.connecting = connectChain(this.endpoint, this.chain)
      .then((client) => {
        this.current = client;
        debugLog('ssh-connected', { host: this.host });
        this.failures = 0;
        this.retryAt = 0;
        this.state = 'up';
        this.lastError = undefined;
        return client;
      })
      .catch((err: unknown) => {
        const failure = classifySshError(err, this.host, 'connect');
        debugLog('ssh-connect-failed', { host: this.host, kind: failure.detail.kind, error: failure.detail.message });
        this.noteFailure(failure.detail);
        this.teardownClients();
        throw failure;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private noteFailure(detail: TransportError): void {
    this.lastError = detail;
    this.state = 'down';
    this.failures += 1;
    const min = this.options.backoffMinMs ?? 1000;
    const max = this.options.backoffMaxMs ?? 10_000;
    // Jittered (±25%) so hosts that failed together do not all retry in the same instant.
    this.retryAt = Date.now() + Math.min(max, min * 2 ** (this.failures - 1)) * (0.75 + Math.random() * 0.5);
  }

  private teardownClients(): void {
    for (const session of this.shells.values()) session.close();
    this.shells.clear();
    for (const c of this.clients) c.end();
    this.clients = [];
    this.current = undefined;
    this.endProxies();
  }

  private startProxy(endpoint: SshEndpoint, command: string): ProxyCommandSocket {
    const proxy = new ProxyCommandSocket(expandProxyCommand(command, endpoint));
    this.proxies.push(proxy);
    return proxy;
  }

  private endProxies(): void {
    for (const p of this.proxies) p.destroy();
    this.proxies = [];
  }

  /** A hop finished its handshake; when it drops, the whole chain is gone. */
  private watchDrop(hop: SshEndpoint, client: Client): void {
    client.on('close', () => {
      if (this.closedByUs) return;
      debugLog('ssh-dropped', { host: this.host, hop: hop.name });
      if (this.current) {
        this.noteFailure(
          this.lastError ?? {
            kind: 'unreachable',
            host: this.host,
            operation: 'connection',
            message: 'connection closed by peer',
          },
        );
        this.retryAt = Date.now();
      }
      this.teardownClients();
    });
  }
}
