import type { KeepalivedReading } from '../../collectors/keepalived.js';
import type { StoreWriter } from './commit-window.js';
import type { LvsState } from './lvs-state.js';
import { shareStructure } from './structural-sharing.js';
import { keepalivedReadFailed, stateChangesAfter } from './seen-since.js';
import type { DirectorKeepalived } from './store-types.js';
import { countReadError } from './hosts-slice.js';
import { mergeNotifyHistory } from './notify-history.js';

type KeepalivedActions = Pick<LvsState, 'setKeepalived'>;

/** Per instance: when this console first read the state it is in now (kept while the state stays). */
function stateSeenAtAfter(
  prev: DirectorKeepalived | undefined,
  reading: KeepalivedReading,
  readAt: number,
): Record<string, number> {
  const stateSeenAt: Record<string, number> = {};
  if (reading.status !== 'ok') return stateSeenAt;
  const before = prev?.reading.status === 'ok' ? prev.reading.instances : [];
  for (const i of reading.instances) {
    const same = before.find((b) => b.name === i.name)?.state === i.state;
    const seen = same ? prev?.stateSeenAt[i.name] : undefined;
    stateSeenAt[i.name] = seen ?? readAt;
  }
  return stateSeenAt;
}

/**
 * When the checker view in `reading` was read: the data dump that carries it comes every few seconds, and a late
 * one's view is kept a while, so a reading may carry the view of an earlier one (the very same object).
 */
function checkersReadAt(prev: DirectorKeepalived | undefined, reading: KeepalivedReading, readAt: number) {
  if (reading.status !== 'ok' || !reading.checkers) return undefined;
  const carried = prev?.reading.status === 'ok' && prev.reading.checkers === reading.checkers;
  return carried ? (prev.checkersAt ?? readAt) : readAt;
}

/** The directors' keepalived readings. */
export function keepalivedSlice(w: StoreWriter): KeepalivedActions {
  return {
    setKeepalived: (host, reading, readAt) => {
      const prev = w.get().keepalived[host];
      const stateSeenAt = stateSeenAtAfter(prev, reading, readAt);
      const okAt = reading.status === 'ok' ? readAt : prev?.okAt;
      const stateChanges = stateChangesAfter(prev, reading);
      const notifyHistory = mergeNotifyHistory(prev?.notifyHistory, reading.notify ?? []);
      const history = notifyHistory.length > 0 ? { notifyHistory } : {};
      const checkersAt = checkersReadAt(prev, reading, readAt);
      const next = {
        host,
        readAt,
        ...(okAt === undefined ? {} : { okAt }),
        reading,
        ...(checkersAt === undefined ? {} : { checkersAt }),
        stateSeenAt,
        stateChanges,
        ...history,
      };
      const shared = prev ? shareStructure(prev, next) : next;
      if (shared !== prev) w.writeEntry('keepalived', host, shared);
      if (keepalivedReadFailed(reading)) countReadError(w, host, 'keepalived');
    },
  };
}
