import type { SyncDaemon } from '../../collectors/ipvs-daemon.js';
import type { StoreWriter } from './commit-window.js';
import type { LvsState } from './lvs-state.js';
import { shareStructure } from './structural-sharing.js';

/** When a reading was made, and how often the poller makes it: until `everyMs` have passed its age is no news. */
export interface ReadSchedule {
  readonly readAt: number;
  readonly everyMs?: number;
}

/** A director's sync daemons (`ipvsadm -L --daemon`) as last read: none running is ok with neither role. */
export type SyncDaemonsRead = ReadSchedule &
  (
    | { readonly ok: true; readonly master?: SyncDaemon; readonly backup?: SyncDaemon }
    | { readonly ok: false; readonly error: string }
  );

/** The size of a director's connection table (entries, templates included) as last counted. */
export type ConnCountRead = ReadSchedule &
  ({ readonly ok: true; readonly entries: number } | { readonly ok: false; readonly error: string });

/** Per director: what its connection sync looks like, each read on its own schedule. */
export interface DirectorSync {
  readonly host: string;
  readonly daemons?: SyncDaemonsRead;
  /** The reading of the daemons before `daemons`: judged while the newest is not yet borne out (model/sync.ts). */
  readonly daemonsBefore?: SyncDaemonsRead;
  readonly conns?: ConnCountRead;
}

/** The directors' sync daemons and connection-table sizes. */
export function syncSlice(w: StoreWriter): Pick<LvsState, 'setSyncDaemons' | 'setConnCount'> {
  const write = (host: string, patch: Partial<DirectorSync>) => {
    const prev = w.get().sync[host];
    const next = { ...(prev ?? { host }), ...patch };
    const shared = prev ? shareStructure(prev, next) : next;
    if (shared !== prev) w.writeEntry('sync', host, shared);
  };
  return {
    setSyncDaemons: (host, daemons) => {
      const before = w.get().sync[host]?.daemons;
      write(host, before ? { daemons, daemonsBefore: before } : { daemons });
    },
    setConnCount: (host, conns) => write(host, { conns }),
  };
}
