import type { SshEndpoint } from './endpoint.js';

/** How one host is reached: commands run on this machine, or over SSH to its endpoint. */
export type HostRoute =
  | { readonly transport: 'local'; readonly sudo: boolean }
  | { readonly transport: 'ssh'; readonly sudo: boolean; readonly endpoint: SshEndpoint };

/**
 * What the transports need of the resolved configuration, by shape: the config's ResolvedConfig is one. The config
 * depends on these types, never the transport on the config.
 */
export interface TransportSettings {
  readonly hosts: ReadonlyMap<string, HostRoute>;
  /** known_hosts files read for every host. */
  readonly knownHostsFiles: readonly string[];
  /** lvstop's own known_hosts, where accepted new keys are recorded. */
  readonly lvstopKnownHosts: string;
  readonly config: {
    readonly connectTimeoutMs: number;
    readonly maxChannelsPerHost: number;
    readonly pollIntervalMs: number;
  };
}
