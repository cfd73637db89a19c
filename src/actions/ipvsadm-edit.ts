import type { RealServerThresholds } from '../../collectors/ipvs-thresholds.js';
import type { ForwardMethod, IpvsService } from '../../collectors/ipvs-types.js';
import { realServerKey } from '../../collectors/ids.js';
import { ActionError } from './action-error.js';
import { serviceArgs } from './target-spec.js';

/**
 * `ipvsadm -e` rebuilds the destination from its options: without `-m` a Masq real server silently becomes Route
 * (the default), without `-w` the weight becomes 1, without `-x`/`-y` the thresholds become 0. So every edit carries
 * all of them, as read from the live table.
 */
const FORWARD_FLAG: Partial<Record<ForwardMethod, string>> = { Masq: '-m', Route: '-g', Tunnel: '-i' };

export function forwardFlag(forward: ForwardMethod, row: string): string {
  const flag = FORWARD_FLAG[forward];
  if (!flag)
    throw new ActionError(
      'refused',
      `${row}: forwarding method ${forward} has no ipvsadm flag to keep; edit this real server by hand`,
    );
  return flag;
}

export interface RealServerEdit {
  readonly address: string;
  readonly port: number;
  readonly forward: ForwardMethod;
  readonly thresholds?: RealServerThresholds;
}

export function editRealServerArgv(
  service: Pick<IpvsService, 'protocol' | 'address' | 'port' | 'fwmark' | 'ipv6'>,
  rs: RealServerEdit,
  weight: number,
): string[] {
  const row = realServerKey(rs);
  return [
    'ipvsadm',
    '-e',
    ...serviceArgs(service),
    '-r',
    row,
    forwardFlag(rs.forward, row),
    '-w',
    String(weight),
    ...(rs.thresholds && rs.thresholds.upper > 0 ? ['-x', String(rs.thresholds.upper)] : []),
    ...(rs.thresholds && rs.thresholds.lower > 0 ? ['-y', String(rs.thresholds.lower)] : []),
  ];
}

/** Scheduler flags as `-L -n` prints them, to the generic names `-b` takes with any scheduler. */
const SCHED_FLAG_BITS: Record<string, string> = {
  'flag-1': 'flag-1',
  'sh-fallback': 'flag-1',
  'mh-fallback': 'flag-1',
  'flag-2': 'flag-2',
  'sh-port': 'flag-2',
  'mh-port': 'flag-2',
  'flag-3': 'flag-3',
};

/**
 * The options that keep a service's settings through `ipvsadm -E`, which rebuilds the service from its options:
 * without `-p` persistence is dropped, without `-M` the mask goes back to /32, without `-b`, `--pe` and `-o` the
 * scheduler flags, persistence engine and one-packet scheduling are cleared (ipvsadm 1.31, checked in the lab).
 * Named scheduler flags (`sh-port`) are passed as their bits (`flag-2`): ipvsadm refuses `sh-*` names with other
 * schedulers.
 */
export function keptServiceOptions(
  svc: Pick<IpvsService, 'key' | 'persistence' | 'persistenceMask' | 'flags'>,
): string[] {
  const out: string[] = [];
  if (svc.persistence !== undefined) out.push('-p', String(svc.persistence));
  if (svc.persistence !== undefined && svc.persistenceMask !== undefined) out.push('-M', svc.persistenceMask);
  const bits: string[] = [];
  for (const flag of svc.flags) {
    const pe = /^pe (\S+)$/.exec(flag);
    if (pe) out.push('--pe', pe[1]!);
    else if (flag === 'ops') out.push('-o');
    else if (SCHED_FLAG_BITS[flag]) bits.push(SCHED_FLAG_BITS[flag]);
    else
      throw new ActionError(
        'refused',
        `${svc.key}: flag "${flag}" is not one the console can keep through ipvsadm -E; change the scheduler by hand`,
      );
  }
  if (bits.length > 0) out.push('-b', [...new Set(bits)].sort().join(','));
  return out;
}

export function editSchedulerArgv(
  svc: Pick<
    IpvsService,
    'key' | 'protocol' | 'address' | 'port' | 'fwmark' | 'ipv6' | 'persistence' | 'persistenceMask' | 'flags'
  >,
  scheduler: string,
): string[] {
  return ['ipvsadm', '-E', ...serviceArgs(svc), '-s', scheduler, ...keptServiceOptions(svc)];
}

/** The settings `ipvsadm -E` must leave as they were, for compare-and-set and read-back. */
export function serviceSettings(svc: Pick<IpvsService, 'scheduler' | 'persistence' | 'persistenceMask' | 'flags'>): {
  scheduler: string;
  persistence: string;
  flags: string;
} {
  return {
    scheduler: svc.scheduler,
    persistence:
      svc.persistence === undefined
        ? 'none'
        : `${svc.persistence}s${svc.persistenceMask ? ` mask ${svc.persistenceMask}` : ''}`,
    // Scheduler flags print by their meaning for sh/mh and as bits otherwise; compare the bits.
    flags:
      svc.flags.length === 0 ? 'none' : [...new Set(svc.flags.map((f) => SCHED_FLAG_BITS[f] ?? f))].sort().join(','),
  };
}
