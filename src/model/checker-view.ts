import type { CheckedRealServer, CheckerEntry } from '../../collectors/keepalived-check.js';
import type { IpvsRealServer, IpvsService } from '../../collectors/ipvs-types.js';
import type { LvsState } from '../store/lvs-store.js';

/** keepalived's view of one real server: its checker, what the checker says, and the weights keepalived intends. */
export interface RealServerChecker extends CheckedRealServer {
  /** The checker the probe mirrors (the first one). */
  readonly kind: CheckerEntry['kind'];
  readonly connectPort?: number;
  readonly path?: string;
  readonly statusCodes?: readonly number[];
  /** Every checker of this server says up. */
  readonly up: boolean;
}

const sameAddress = (a: string | undefined, b: string | undefined) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** keepalived's virtual server for an IPVS service of this director, or undefined. */
export function checkedService(state: LvsState, director: string, service: IpvsService) {
  const reading = state.keepalived[director]?.reading;
  if (reading?.status !== 'ok' || !reading.checkers) return undefined;
  return reading.checkers.virtualServers.find((v) =>
    service.protocol === 'FWM'
      ? v.fwmark === service.fwmark
      : v.fwmark === undefined &&
        sameAddress(v.address, service.address) &&
        v.port === service.port &&
        v.protocol === service.protocol,
  );
}

/** The checker keepalived runs for this real server of this service on this director, or undefined when none. */
export function checkerFor(
  state: LvsState,
  director: string,
  service: IpvsService,
  rs: Pick<IpvsRealServer, 'address' | 'port'>,
): RealServerChecker | undefined {
  const server = checkedService(state, director, service)?.realServers.find(
    (r) => sameAddress(r.address, rs.address) && r.port === rs.port,
  );
  const first = server?.checkers[0];
  if (!server || !first) return undefined;
  return {
    ...server,
    kind: first.kind,
    ...(first.connectPort === undefined ? {} : { connectPort: first.connectPort }),
    ...(first.path === undefined ? {} : { path: first.path }),
    ...(first.statusCodes === undefined ? {} : { statusCodes: first.statusCodes }),
    up: server.checkers.every((c) => c.up),
  };
}
