import type { IpvsReading } from '../../collectors/ipvs-collector.js';
import type { IpvsRates } from '../../collectors/ipvs-rates.js';
import type { HostInfo } from '../../collectors/host-info.js';
import type { TransportErrorKind } from '../transport/transport-error.js';

export type HostStatus = 'connecting' | 'up' | 'down';

export interface HostError {
  readonly kind: TransportErrorKind;
  readonly message: string;
}

export interface HostRuntime {
  readonly name: string;
  readonly status: HostStatus;
  readonly error?: HostError;
  /** When this host's data was last read successfully (ms since epoch). */
  readonly readAt?: number;
  readonly lastAttemptAt?: number;
  readonly pollDurationMs?: number;
  /** Ticks skipped because the previous poll was still running. */
  readonly skippedTicks: number;
  readonly info?: HostInfo;
}

export interface DirectorIpvs {
  readonly host: string;
  readonly readAt: number;
  readonly reading: IpvsReading;
  /** Per service key. */
  readonly serviceRates: Readonly<Record<string, IpvsRates>>;
  /** Per `${serviceKey}|${realServerKey}`. */
  readonly realServerRates: Readonly<Record<string, IpvsRates>>;
}

export interface ClusterInfo {
  readonly name: string;
  readonly mode: 'nat' | 'dr' | 'tun';
  readonly directors: readonly string[];
  readonly realServers: readonly { readonly host?: string; readonly address: string }[];
  readonly vips: readonly string[];
}
