import type { IpvsService } from '../../collectors/ipvs-types.js';
import { badInput } from './action-error.js';
import type { ServiceSpec } from './target-spec.js';

/** Does a listed service answer to what the operator named? A fwmark named without a family matches either. */
export function matchesService(spec: ServiceSpec, svc: IpvsService): boolean {
  if (spec.protocol === 'FWM')
    return svc.protocol === 'FWM' && svc.fwmark === spec.fwmark && (spec.ipv6 === undefined || svc.ipv6 === spec.ipv6);
  return svc.key === spec.key;
}

/**
 * The one listed service a spec names, or undefined. `fwm:77` with both an IPv4 and an IPv6 service of mark 77 is
 * ambiguous: bad input naming both keys, so the operator can pick one.
 */
export function findService(
  spec: ServiceSpec,
  services: readonly IpvsService[],
  host: string,
): IpvsService | undefined {
  const found = services.filter((s) => matchesService(spec, s));
  if (found.length > 1)
    throw badInput(
      `${spec.key} names ${found.length} services on ${host}: ${found.map((s) => `"${s.key}"`).join(', ')}`,
    );
  return found[0];
}
