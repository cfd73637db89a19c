import { realServerKey, type IpvsService } from '../../collectors/ipvs-types.js';
import { badInput } from './action-error.js';
import { rowId, type ActionRequest } from './action-types.js';
import type { DirectorIpvs } from './live-read.js';
import { findService, matchesRealServer, parseRealServerSpec, parseServiceSpec } from './target-spec.js';

export type WeightRequest = Extract<ActionRequest, { action: 'weight' | 'weight-rows' }>;

/** A real server row a weight request selects, with what the operator saw and asked for. */
export interface Row {
  readonly host: string;
  readonly service: IpvsService;
  readonly rs: IpvsService['realServers'][number];
  readonly seen?: number;
  /** The weight asked for, when the request names it (weight-rows). */
  readonly weight?: number;
}

const serviceList = (live: DirectorIpvs) => live.table.services.map((s) => s.key).join(', ') || 'none';

const serviceOn = (live: DirectorIpvs, spec: string) =>
  findService(parseServiceSpec(spec), live.table.services, live.host);

/** Rows a `weight` request selects on one director; none on the director itself is bad input, on a peer a warning. */
export function selectRows(
  request: Extract<WeightRequest, { action: 'weight' }>,
  live: DirectorIpvs,
  configured: readonly { host?: string; address: string }[],
): Row[] {
  const rsSpec = parseRealServerSpec(request.realServer, configured);
  const services =
    request.service === 'all'
      ? live.table.services
      : [serviceOn(live, request.service)].filter((s): s is IpvsService => s !== undefined);
  if (services.length === 0)
    throw badInput(`no service ${request.service} on ${live.host} (services: ${serviceList(live)})`);
  const rows = services.flatMap((service) =>
    service.realServers
      .filter((rs) => matchesRealServer(rsSpec, rs))
      .map((rs) => {
        const seen = request.seen?.[rowId(live.host, service.key, realServerKey(rs))];
        return { host: live.host, service, rs, ...(seen === undefined ? {} : { seen }) };
      }),
  );
  if (rows.length === 0)
    throw badInput(
      `no real server ${rsSpec.label} in ${request.service === 'all' ? 'any service' : services[0]!.key} on ${live.host}`,
    );
  return rows;
}

/** The exact rows an undo names; one that is gone is bad input. */
export function exactRows(
  request: Extract<WeightRequest, { action: 'weight-rows' }>,
  tables: ReadonlyMap<string, DirectorIpvs>,
): Row[] {
  return request.rows.map((r) => {
    const live = tables.get(r.host)!;
    const service = serviceOn(live, r.service);
    const rs = service?.realServers.find((x) => realServerKey(x) === r.realServer);
    if (!service || !rs) throw badInput(`no real server ${r.realServer} in ${r.service} on ${r.host}`);
    return { host: r.host, service, rs, weight: r.weight, ...(r.seen === undefined ? {} : { seen: r.seen }) };
  });
}
