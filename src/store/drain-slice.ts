import type { ClientCount } from '../../collectors/ipvs-conns.js';
import type { DrainState } from '../model/drain-progress.js';
import type { StoreWriter } from './commit-window.js';
import type { LvsState } from './lvs-state.js';
import { shareStructure } from './structural-sharing.js';

/** One read of a director's connection table (`ipvsadm -L -n -c`), counted as it streamed. */
export type ConnTableRead = { readonly at: number; readonly ms: number } & (
  | {
      readonly ok: true;
      /** Entries counted: connections and templates. */
      readonly entries: number;
      /** The read stopped before the end of the table: counts are lower bounds. */
      readonly truncatedBy?: 'deadline' | 'lines';
      /** Lines that were not entries (ipvsadm's output changed, or it printed an error). */
      readonly garbage: number;
    }
  | { readonly ok: false; readonly error: string }
);

/** A real server at weight 0 on one service, watched until its last connection and template are gone. */
export interface ServerDrain {
  readonly serviceKey: string;
  /** `192.168.60.12:80` (realServerKey). */
  readonly serverKey: string;
  /** The first read that found it at weight 0. */
  readonly since: number;
  readonly state: DrainState;
  /** Something was left at an earlier read: a drain was watched, not a server found idle. */
  readonly hadEntries: boolean;
  /** The read that first found nothing left. */
  readonly drainedAt?: number;
  /** The last read found entries lasting longer than the one before allowed for (clients came back). */
  readonly renewed: boolean;
  /** Entries per state as ipvsadm prints them (`ESTABLISHED`, `FIN_WAIT`; templates `NONE` or `ASSURED`). */
  readonly states: Readonly<Record<string, number>>;
  /** The clients with most entries, highest first. */
  readonly topClients: readonly ClientCount[];
}

/** What a read of the connection table holds for one real server of one service, whatever its weight. */
export interface ServerConns {
  readonly serviceKey: string;
  /** `192.168.60.12:80` (realServerKey). */
  readonly serverKey: string;
  /** ESTABLISHED connections. */
  readonly active: number;
  /** Every other connection (TCP opening and closing states, UDP). */
  readonly inactive: number;
  /** Persistence templates. */
  readonly templates: number;
  /** Seconds left on the template that expires last, rounded down as ipvsadm prints it; absent without templates. */
  readonly templateLeftSec?: number;
  /** Entries per state as ipvsadm prints them, templates included. */
  readonly states: Readonly<Record<string, number>>;
  /** The clients with most entries, highest first. */
  readonly topClients: readonly ClientCount[];
}

/** Every real server's counts from the last read made while a Connections view was open on the director. */
export interface WatchedConns {
  /** The read they come from: a later read that failed keeps them (DirectorDrains.read says so). */
  readonly read: Extract<ConnTableRead, { ok: true }>;
  /** The whole table was counted: without that the counts are lower bounds. */
  readonly complete: boolean;
  /** Per rateKey(service key, real server). */
  readonly servers: Readonly<Record<string, ServerConns>>;
}

/** Per director: the last connection-table read and the real servers at weight 0 it was read for. */
export interface DirectorDrains {
  readonly host: string;
  readonly read: ConnTableRead;
  /** Per rateKey(service key, real server). */
  readonly servers: Readonly<Record<string, ServerDrain>>;
  /** Every real server, while a Connections view asks for them (LvsState.connectionsWatched); absent otherwise. */
  readonly conns?: WatchedConns;
}

/** The drains under way on each director, from its connection table. */
export function drainSlice(w: StoreWriter): Pick<LvsState, 'setDrains'> {
  return {
    setDrains: (host, drains) => {
      const prev = w.get().drains[host];
      const shared = prev ? shareStructure(prev, drains) : drains;
      if (shared !== prev) w.writeEntry('drains', host, shared);
    },
  };
}
