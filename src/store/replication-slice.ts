import type { StoreWriter } from './commit-window.js';
import type { LvsState } from './lvs-state.js';
import { shareStructure } from './structural-sharing.js';

/** The replication pairs: each side's reading as its host's poll brings it. */
export function replicationSlice(w: StoreWriter): Pick<LvsState, 'setReplicationSide'> {
  return {
    setReplicationSide: (pairId, side, reading, readAt) => {
      const prev = w.get().replication[pairId];
      if (!prev) return;
      const next = shareStructure(prev, { ...prev, [side]: { ...reading, readAt } });
      if (next !== prev) w.writeEntry('replication', pairId, next);
    },
  };
}
