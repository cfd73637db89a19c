/** A real server as IPVS lists it: address (no brackets) and port. */
export interface RealServerAddress {
  readonly address: string;
  readonly port: number;
}

export interface DirectorTarget {
  readonly kind: 'director';
  readonly director: string;
}

export interface ServiceTarget {
  readonly kind: 'service';
  readonly director: string;
  /** The service's key as the director's table lists it (`TCP 172.16.60.22:80`, `FWM 77 IPv6`). */
  readonly service: string;
}

export interface RealServerTarget {
  readonly kind: 'real-server';
  readonly director: string;
  readonly service: string;
  readonly realServer: RealServerAddress;
}

export interface VrrpTarget {
  readonly kind: 'vrrp';
  readonly director: string;
  readonly instance: string;
}

/** What a table row stands for, carried from the store to the action request without turning into text. */
export type RowTarget = DirectorTarget | ServiceTarget | RealServerTarget | VrrpTarget;

/** The service a service or real server row belongs to. */
export function serviceTargetOf(t: ServiceTarget | RealServerTarget): ServiceTarget {
  return { kind: 'service', director: t.director, service: t.service };
}
