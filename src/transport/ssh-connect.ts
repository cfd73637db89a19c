import type * as Ssh2Module from 'ssh2';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { debugLog } from '../debug-log.js';
import type { SshEndpoint } from './endpoint.js';
import { authMethods, loadIdentities } from './identities.js';
import { hostId, loadKnownHosts } from './known-hosts.js';
import type { ProxyCommandSocket } from './proxy-command.js';
import { hostKeyAlgorithmsFor, hostKeyCheck } from './ssh-host-keys.js';
import { classifySshError, transportError, type TransportFailure } from './transport-error.js';

/** How every hop of a host's chain connects: host keys, timeouts, keepalive. */
export interface HopOptions {
  readonly knownHostsFiles: readonly string[];
  /** When set, unknown host keys are accepted and written to this file (never changed keys). */
  readonly acceptNewTo?: string;
  /** lvstop's own known_hosts: where a host with StrictHostKeyChecking accept-new has its new key recorded. */
  readonly lvstopKnownHosts?: string;
  readonly connectTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
}

/** What connecting a chain needs from the transport that owns it. */
export interface ChainOwner {
  readonly options: HopOptions;
  /** Keep a client of the chain, so that it is ended with the chain. */
  adopt(client: Client): void;
  /** Start a hop's ssh config ProxyCommand as its socket, ended with the chain. */
  startProxy(endpoint: SshEndpoint, command: string): ProxyCommandSocket;
  /** An error on a hop after its handshake (the connection's 'close' follows). */
  lateError(hop: SshEndpoint, err: Error): void;
  /** A hop finished its handshake: from now on its 'close' is a drop. */
  hopUp(hop: SshEndpoint, client: Client): void;
}

/** ssh2 (with its crypto and native parts) loads on the first connection, so the console draws without it. */
let ssh2Module: Promise<typeof Ssh2Module> | undefined;
// ssh2 is CommonJS: under plain Node its `utils` is only on the default export; the bundle gives both forms.
const loadSsh2 = () =>
  (ssh2Module ??= import('ssh2').then(
    (m) => ((m as unknown as { default?: typeof Ssh2Module }).default ?? m) as typeof Ssh2Module,
  ));

/** Connect to the endpoint through its ProxyJump chain: each hop's client forwards the next hop's socket. */
export async function connectChain(endpoint: SshEndpoint, owner: ChainOwner): Promise<Client> {
  let sock: NodeJS.ReadableStream | undefined;
  if (endpoint.jump) {
    const jumpClient = await connectChain(endpoint.jump, owner);
    sock = await new Promise<ClientChannel>((resolve, reject) => {
      jumpClient.forwardOut('127.0.0.1', 0, endpoint.host, endpoint.port, (err, stream) => {
        if (err)
          reject(transportError('unreachable', endpoint.name, `forward via ${endpoint.jump?.name}`, err.message));
        else resolve(stream);
      });
    });
  }
  return connectHop(endpoint, sock, owner);
}

/** One hop: its ssh2 settings (host key check, auth, timeouts), then the handshake over `sock` or its own socket. */
async function connectHop(
  endpoint: SshEndpoint,
  sock: NodeJS.ReadableStream | undefined,
  owner: ChainOwner,
): Promise<Client> {
  const { options } = owner;
  const knownHosts = await loadKnownHosts([
    ...new Set([...options.knownHostsFiles, ...(endpoint.knownHostsFiles ?? [])]),
  ]);
  // HostKeyAlias: OpenSSH looks the key up under the alias alone, whatever the port.
  const id = endpoint.hostKeyAlias ?? hostId(endpoint.host, endpoint.port);
  const ssh2 = await loadSsh2();
  const authHandler = authMethods(endpoint, await loadIdentities(endpoint, ssh2), ssh2);
  const client = new ssh2.Client();
  owner.adopt(client);
  const acceptTo = options.acceptNewTo ?? (endpoint.acceptNew ? options.lvstopKnownHosts : undefined);
  const hostKey = hostKeyCheck(endpoint, knownHosts, id, acceptTo);
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: endpoint.connectTimeoutMs ?? options.connectTimeoutMs ?? 10_000,
    keepaliveInterval: endpoint.keepaliveIntervalMs ?? options.keepaliveIntervalMs ?? 5_000,
    keepaliveCountMax: endpoint.keepaliveCountMax ?? 3,
    algorithms: { serverHostKey: hostKeyAlgorithmsFor(knownHosts, id) as never },
    hostVerifier: hostKey.verifier,
    authHandler,
  };
  await handshake(client, endpoint, owner, hostKey.refusal, () => {
    // A ProxyCommand starts only now, with ssh2's listeners attached in the same tick: an early exit is reported.
    const socket = sock ?? (endpoint.proxyCommand ? owner.startProxy(endpoint, endpoint.proxyCommand) : undefined);
    client.connect(socket ? { ...config, sock: socket as never } : config);
  });
  owner.hopUp(endpoint, client);
  return client;
}

/** Start the connection and wait for ssh2's 'ready'; a refusal of the host key is the failure when there is one. */
function handshake(
  client: Client,
  endpoint: SshEndpoint,
  owner: ChainOwner,
  refusal: () => TransportFailure | undefined,
  start: () => void,
): Promise<void> {
  // One permanent error listener from the start: ssh2 may emit more than one error (handshake, then socket), and
  // an 'error' without a listener would take the whole console down.
  let settle: ((err?: Error) => void) | undefined;
  client.on('error', (err) => {
    debugLog('ssh-error', { host: endpoint.name, error: err.message });
    if (settle) settle(err);
    else owner.lateError(endpoint, err);
  });
  return new Promise<void>((resolve, reject) => {
    settle = (err) => {
      settle = undefined;
      if (err) reject(refusal() ?? classifySshError(err, endpoint.name, 'connect'));
      else resolve();
    };
    client.once('ready', () => settle?.());
    client.once('close', () => settle?.(new Error('connection closed during handshake')));
    start();
  });
}
