import { LocalTransport } from './local-transport.js';
import { SshTransport } from './ssh-transport.js';
import type { TransportSettings } from './transport-settings.js';
import type { Transport } from './transport.js';

export interface TransportOptions {
  /** Record unknown host keys in lvstop's own known_hosts (never changed ones). */
  readonly acceptNew?: boolean;
  /** The poll interval: a host that comes back is retried within about one interval (2 s to 10 s). */
  readonly pollIntervalMs?: number;
}

/** The transport of one configured host: SSH with host key checking, or local execution. */
export function createTransport(resolved: TransportSettings, name: string, options: TransportOptions = {}): Transport {
  const host = resolved.hosts.get(name);
  if (!host) throw new Error(`unknown host ${name}`);
  if (host.transport === 'local') return new LocalTransport(name, { sudo: host.sudo });
  return new SshTransport(host.endpoint, {
    knownHostsFiles: resolved.knownHostsFiles,
    ...(options.acceptNew ? { acceptNewTo: resolved.lvstopKnownHosts } : {}),
    lvstopKnownHosts: resolved.lvstopKnownHosts,
    connectTimeoutMs: resolved.config.connectTimeoutMs,
    maxChannels: resolved.config.maxChannelsPerHost,
    sudo: host.sudo,
    backoffMaxMs: Math.min(10_000, Math.max(2000, options.pollIntervalMs ?? resolved.config.pollIntervalMs)),
  });
}
