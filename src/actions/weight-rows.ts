import { realServerKey, realServerRowId } from '../../collectors/ids.js';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import { badInput } from './action-error.js';
import type { WeightRequest, WeightRowsRequest } from './kinds/weight.js';
import type { IpvsTables, LiveIpvs } from './live-read.js';
import { findService, matchesRealServer } from './target-spec.js';

/** A real server row a weight request selects, with what the operator saw and asked for. */
export interface Row {
  readonly host: string;
  readonly service: IpvsService;
  readonly rs: IpvsService['realServers'][number];
  readonly seen?: number;
  /** The weight asked for, when the request names it (weight-rows). */
  readonly weight?: number;
}

const serviceList = (live: LiveIpvs) => live.table.services.map((s) => s.key).join(', ') || 'none';

/** Rows a `weight` request selects on one director; none on the director itself is bad input, on a peer a warning. */
export function selectRows(request: WeightRequest, live: LiveIpvs): Row[] {
  const selector = request.service;
  const services =
    selector === 'all'
      ? live.table.services
      : [findService(selector, live.table.services, live.host)].filter((s): s is IpvsService => s !== undefined);
  const named = selector === 'all' ? 'all' : selector.key;
  if (services.length === 0) throw badInput(`no service ${named} on ${live.host} (services: ${serviceList(live)})`);
  const rows = services.flatMap((service) =>
    service.realServers
      .filter((rs) => matchesRealServer(request.realServer, rs))
      .map((rs) => {
        const seen = request.seen?.[realServerRowId(live.host, service.key, rs)];
        return { host: live.host, service, rs, ...(seen === undefined ? {} : { seen }) };
      }),
  );
  if (rows.length === 0)
    throw badInput(
      `no real server ${request.realServer.label} in ${selector === 'all' ? 'any service' : services[0]!.key} on ${live.host}`,
    );
  return rows;
}

/** The exact rows an undo names by their keys; one that is gone is bad input. */
export function exactRows(request: WeightRowsRequest, tables: IpvsTables): Row[] {
  return request.rows.map((r) => {
    const service = tables.get(r.host)!.table.services.find((s) => s.key === r.service);
    const rs = service?.realServers.find((x) => realServerKey(x) === r.realServer);
    if (!service || !rs) throw badInput(`no real server ${r.realServer} in ${r.service} on ${r.host}`);
    return { host: r.host, service, rs, weight: r.weight, ...(r.seen === undefined ? {} : { seen: r.seen }) };
  });
}
