import type * as Ssh2Module from 'ssh2';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { argvToCommand } from './command-line.js';
import type { SshEndpoint } from './endpoint.js';
import { ChannelLimiter } from './channel-limiter.js';
import { authMethods, loadIdentities } from './identities.js';
import { expandProxyCommand, ProxyCommandSocket } from './proxy-command.js';
import { ShellSession } from './shell-session.js';
import { debugLog } from '../debug-log.js';
import {
  appendKnownHost,
  hostId,
  knownKeyTypes,
  loadKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
  type KnownHostEntry,
} from './known-hosts.js';
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  MAX_STDERR_BYTES,
  type ConnectionState,
  type ExecOptions,
  type ExecResult,
  type Transport,
} from './transport.js';
import { classifySshError, transportError, TransportFailure, type TransportError } from './transport-error.js';

export interface SshTransportOptions {
  readonly knownHostsFiles: readonly string[];
  /** When set, unknown host keys are accepted and written to this file (never changed keys). */
  readonly acceptNewTo?: string;
  /** lvstop's own known_hosts: where a host with StrictHostKeyChecking accept-new has its new key recorded. */
  readonly lvstopKnownHosts?: string;
  readonly connectTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
  readonly maxChannels?: number;
  readonly sudo?: boolean;
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
}

const SERVER_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;

/** The poll's long-lived shell: bash with no startup files where the host has bash (`command -v` is a builtin), else sh. */
const POLL_SHELL = 'command -v bash >/dev/null 2>&1 && exec bash --norc --noprofile; exec sh';
/** ssh2 (with its crypto and native parts) loads on the first connection, so the console draws without it. */
let ssh2Module: Promise<typeof Ssh2Module> | undefined;
// ssh2 is CommonJS: under plain Node its `utils` is only on the default export; the bundle gives both forms.
const loadSsh2 = () =>
  (ssh2Module ??= import('ssh2').then(
    (m) => ((m as unknown as { default?: typeof Ssh2Module }).default ?? m) as typeof Ssh2Module,
  ));

function hostKeyAlgorithmsFor(entries: readonly KnownHostEntry[], id: string): string[] {
  const known = knownKeyTypes(entries, id).flatMap((t) =>
    t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t],
  );
  return [...new Set([...known, ...SERVER_HOST_KEY_ALGORITHMS])];
}

export function describeVerdict(verdict: HostKeyVerdict): string {
  switch (verdict.kind) {
    case 'match':
      return 'host key matches';
    case 'unknown':
      if (verdict.certAuthority)
        return (
          `host key for ${verdict.hostId} (${verdict.fingerprint}) is trusted in known_hosts only through a ` +
          `@cert-authority line (${verdict.certAuthority.file}:${verdict.certAuthority.line}), and lvstop's SSH ` +
          `library (ssh2) cannot negotiate host certificates; refusing. Add the host's plain key to known_hosts ` +
          `(check it against the certificate) or run with --accept-new to record it`
        );
      return `host key for ${verdict.hostId} is not in known_hosts (${verdict.fingerprint}); refusing. Verify it and run with --accept-new to record it`;
    case 'revoked':
      return `host key for ${verdict.hostId} is marked @revoked (${verdict.fingerprint}) in ${verdict.entry.file}:${verdict.entry.line}`;
    case 'mismatch':
      return (
        `HOST KEY CHANGED for ${verdict.hostId}: server presented ${verdict.fingerprint}, known_hosts has ` +
        verdict.expected.map((e) => `${e.fingerprint} (${e.file}:${e.line})`).join(', ') +
        '. Possible man-in-the-middle; refusing to connect'
      );
  }
}

/** One SSH connection (through any ProxyJump chain) to one host, with its own reconnect backoff. */
export class SshTransport implements Transport {
  readonly host: string;
  private readonly endpoint: SshEndpoint;
  private readonly options: SshTransportOptions;
  private readonly limiter: ChannelLimiter;
  private clients: Client[] = [];
  /** ProxyCommand processes serving as sockets of the current chain; ended with it. */
  private proxies: ProxyCommandSocket[] = [];
  private connecting: Promise<Client> | undefined;
  /** The long-lived shells: `sh` for polls (bash where the host has it), `bash` for probes. */
  private readonly shells = new Map<'sh' | 'bash', ShellSession>();
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
  }

  /** Milliseconds until the next connection attempt is allowed (0 when it may go now). */
  retryInMs(now = Date.now()): number {
    return Math.max(0, this.retryAt - now);
  }

  /** Run a POSIX sh script in this host's long-lived shell (opened on first use, reopened after a failure). */
  execShell(script: string, options: ExecOptions): Promise<ExecResult> {
    return this.runInSession('sh', script, options);
  }

  /** Run a bash script in a second long-lived shell, bash, kept apart from the poll's (real-server probes). */
  execBash(script: string, options: ExecOptions): Promise<ExecResult> {
    return this.runInSession('bash', script, options);
  }

  private async runInSession(shell: 'sh' | 'bash', script: string, options: ExecOptions): Promise<ExecResult> {
    const client = await this.connect();
    let session = this.shells.get(shell);
    if (!session?.alive) {
      // The poll's shell is bash where there is one (its builtins read, wait and tail without a process), else sh.
      const argv = shell === 'sh' ? ['sh', '-c', POLL_SHELL] : [shell];
      const command = argvToCommand(argv, { sudo: this.options.sudo ?? false });
      const stream = await new Promise<ClientChannel>((resolve, reject) => {
        client.exec(command, (err, s) => (err ? reject(classifySshError(err, this.host, 'open shell')) : resolve(s)));
      });
      session = new ShellSession(stream, this.host);
      this.shells.set(shell, session);
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
      return this.runOnClient(client, command, options);
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
    this.connecting = this.openChain(this.endpoint)
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

  private async openChain(endpoint: SshEndpoint): Promise<Client> {
    let sock: NodeJS.ReadableStream | undefined;
    if (endpoint.jump) {
      const jumpClient = await this.openChain(endpoint.jump);
      sock = await new Promise<ClientChannel>((resolve, reject) => {
        jumpClient.forwardOut('127.0.0.1', 0, endpoint.host, endpoint.port, (err, stream) => {
          if (err)
            reject(transportError('unreachable', endpoint.name, `forward via ${endpoint.jump?.name}`, err.message));
          else resolve(stream);
        });
      });
    }
    return this.openOne(endpoint, sock);
  }

  private async openOne(endpoint: SshEndpoint, sock: NodeJS.ReadableStream | undefined): Promise<Client> {
    const knownHosts = await loadKnownHosts([
      ...new Set([...this.options.knownHostsFiles, ...(endpoint.knownHostsFiles ?? [])]),
    ]);
    // HostKeyAlias: OpenSSH looks the key up under the alias alone, whatever the port.
    const id = endpoint.hostKeyAlias ?? hostId(endpoint.host, endpoint.port);
    const ssh2 = await loadSsh2();
    const authHandler = authMethods(endpoint, await loadIdentities(endpoint, ssh2), ssh2);
    let refusal: TransportFailure | undefined;
    const client = new ssh2.Client();
    this.clients.push(client);
    const acceptTo = this.options.acceptNewTo ?? (endpoint.acceptNew ? this.options.lvstopKnownHosts : undefined);
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      readyTimeout: endpoint.connectTimeoutMs ?? this.options.connectTimeoutMs ?? 10_000,
      keepaliveInterval: endpoint.keepaliveIntervalMs ?? this.options.keepaliveIntervalMs ?? 5_000,
      keepaliveCountMax: endpoint.keepaliveCountMax ?? 3,
      algorithms: { serverHostKey: hostKeyAlgorithmsFor(knownHosts, id) as never },
      // Answered through `verify`: an accepted new key is on disk before the connection goes on, and a key that
      // cannot be recorded refuses the connection with the reason instead of failing somewhere unobserved.
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        const verdict = verifyHostKey(knownHosts, id, key);
        if (verdict.kind === 'match') return verify(true);
        if (verdict.kind === 'unknown' && acceptTo) {
          appendKnownHost(acceptTo, id, key).then(
            () => verify(true),
            (err: unknown) => {
              const reason = err instanceof Error ? err.message : String(err);
              refusal = transportError(
                'permission',
                endpoint.name,
                'record host key',
                `cannot record the new host key ${verdict.fingerprint} for ${id} in ${acceptTo}: ${reason}; refusing`,
                (err as NodeJS.ErrnoException).code,
              );
              verify(false);
            },
          );
          return;
        }
        const kind = verdict.kind === 'unknown' ? 'host-key-unknown' : 'host-key-mismatch';
        refusal = transportError(kind, endpoint.name, 'verify host key', describeVerdict(verdict));
        verify(false);
      },
      authHandler,
    };
    // One permanent error listener from the start: ssh2 may emit more than one error (handshake, then socket), and
    // an 'error' without a listener would take the whole console down.
    let settle: ((err?: Error) => void) | undefined;
    client.on('error', (err) => {
      debugLog('ssh-error', { host: endpoint.name, error: err.message });
      if (settle) settle(err);
      else this.lastError = classifySshError(err, endpoint.name, 'connection').detail;
    });
    await new Promise<void>((resolve, reject) => {
      settle = (err) => {
        settle = undefined;
        if (err) reject(refusal ?? classifySshError(err, endpoint.name, 'connect'));
        else resolve();
      };
      client.once('ready', () => settle?.());
      client.once('close', () => settle?.(new Error('connection closed during handshake')));
      // A ProxyCommand starts only now, with ssh2's listeners attached in the same tick: an early exit is reported.
      const socket = sock ?? (endpoint.proxyCommand ? this.startProxy(endpoint, endpoint.proxyCommand) : undefined);
      client.connect(socket ? { ...config, sock: socket as never } : config);
    });
    client.on('close', () => {
      if (this.closedByUs) return;
      debugLog('ssh-dropped', { host: this.host, hop: endpoint.name });
      // A hop dropped: the whole chain is gone.
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
    return client;
  }

  private runOnClient(client: Client, command: string, options: ExecOptions): Promise<ExecResult> {
    const started = Date.now();
    const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    return new Promise<ExecResult>((resolve, reject) => {
      client.exec(command, (err, stream) => {
        if (err) {
          reject(classifySshError(err, this.host, 'exec'));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let outBytes = 0;
        let errBytes = 0;
        let failure: TransportFailure | undefined;
        let exitCode: number | null = null;
        let exitSignal: string | undefined;
        // Settle at once: the channel only closes when the remote process exits, which a hung command never does.
        const abort = (f: TransportFailure) => {
          if (failure) return;
          failure = f;
          clearTimeout(timer);
          reject(f);
          stream.signal('KILL');
          stream.close();
        };
        const timer = setTimeout(
          () =>
            abort(
              transportError('timeout', this.host, 'exec', `command did not finish within ${options.timeoutMs} ms`),
            ),
          options.timeoutMs,
        );
        stream.on('data', (chunk: Buffer) => {
          outBytes += chunk.length;
          if (outBytes > cap) abort(transportError('parse', this.host, 'exec', `output exceeded ${cap} bytes`));
          else {
            out.push(chunk);
            options.onStdout?.(chunk);
          }
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          errBytes += chunk.length;
          if (errBytes <= MAX_STDERR_BYTES) errOut.push(chunk);
        });
        stream.on('error', (e: Error) => abort(classifySshError(e, this.host, 'exec')));
        stream.stderr.on('error', () => undefined);
        stream.on('exit', (code: number | null, signal?: string) => {
          exitCode = code;
          if (signal) exitSignal = signal;
        });
        stream.on('close', () => {
          clearTimeout(timer);
          if (failure) return;
          if (exitCode === null && !exitSignal) {
            reject(transportError('closed', this.host, 'exec', 'channel closed before the command exited'));
            return;
          }
          resolve({
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errOut).toString('utf8'),
            exitCode,
            ...(exitSignal ? { signal: exitSignal } : {}),
            durationMs: Date.now() - started,
          });
        });
        if (options.stdin !== undefined) stream.end(options.stdin);
        else stream.end();
      });
    });
  }
}
