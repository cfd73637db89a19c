import type { StoreWriter } from './commit-window.js';
import { AUDIT_VIEW_SIZE, EVENT_RING_SIZE, type LvsState } from './lvs-state.js';

type ConsoleActions = Pick<
  LvsState,
  'addEvents' | 'restoreEvents' | 'addAudit' | 'setJumpHost' | 'setPaused' | 'setConnectionsWatched'
>;

/**
 * What the console keeps beside the fleet's readings: the event ring, the audit view, the jump host, the pause, the
 * clusters whose connections are watched.
 */
export function consoleSlice(w: StoreWriter): ConsoleActions {
  return {
    addEvents: (events) => {
      if (events.length === 0) return;
      const all = [...w.get().events, ...events];
      w.set({ events: all.length > EVENT_RING_SIZE ? all.slice(all.length - EVENT_RING_SIZE) : all });
    },
    restoreEvents: (events) => {
      if (events.length > 0) w.set({ events: [...events, ...w.get().events].slice(-EVENT_RING_SIZE) });
    },
    addAudit: (entries) => {
      if (entries.length > 0) w.set({ audit: [...w.get().audit, ...entries].slice(-AUDIT_VIEW_SIZE) });
    },
    setJumpHost: (stats) => w.set({ jumpHost: stats }),
    setPaused: (paused) => {
      if (w.get().paused !== paused) w.set({ paused });
    },
    setConnectionsWatched: (clusters) => {
      const next = [...new Set(clusters)].sort();
      const prev = w.get().connectionsWatched;
      if (next.length !== prev.length || next.some((c, i) => c !== prev[i])) w.set({ connectionsWatched: next });
    },
  };
}
