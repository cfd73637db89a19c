import { decimalUint, isIpAddress } from './field-ranges.js';
import { isSpace } from './ipvs-line-scan.js';

// VRRP instances as keepalived dumps them: what its JSON and its data dump both parse into.

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'UNKNOWN';

export interface VrrpInstance {
  readonly name: string;
  readonly vrid: number;
  readonly state: VrrpState;
  readonly wantState?: VrrpState;
  readonly basePriority: number;
  readonly effectivePriority: number;
  readonly interface?: string;
  /** Unix seconds of the last state change, as keepalived recorded it. */
  readonly lastTransition?: number;
  /** VIPs as configured, without the prefix length. */
  readonly vips: readonly string[];
  /** keepalived says the VIPs are set on this host. */
  readonly vipsSet?: boolean;
  readonly trackFiles: readonly string[];
  /** advert_int in seconds and the VRRP version, as keepalived runs them (JSON dump only). */
  readonly advertIntSec?: number;
  readonly version?: 2 | 3;
  readonly stats?: {
    readonly advertReceived: number;
    readonly advertSent: number;
    readonly becameMaster: number;
    readonly releasedMaster: number;
    readonly priorityZeroReceived: number;
    readonly priorityZeroSent: number;
  };
}

export interface TrackFileStatus {
  readonly name: string;
  readonly file: string;
  readonly status: number;
  readonly weight: number;
}

export interface KeepalivedDump {
  readonly instances: readonly VrrpInstance[];
  readonly trackFiles: readonly TrackFileStatus[];
}

/** `10.0.0.1/24 dev eth0 scope global set` → `10.0.0.1`; undefined unless that is an IP address. */
export function vipAddress(vip: string): string | undefined {
  const t = vip.trim();
  let end = 0;
  while (end < t.length && !isSpace(t.charCodeAt(end))) end++;
  let address = t.slice(0, end);
  const slash = address.lastIndexOf('/');
  if (slash >= 0 && decimalUint(address.slice(slash + 1), 3) !== undefined) address = address.slice(0, slash);
  return isIpAddress(address) ? address : undefined;
}
