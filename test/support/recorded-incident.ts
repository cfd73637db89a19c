import { vi } from 'vitest';
import { diffEvents } from '../../src/model/events.js';
import { buildSnapshot, type Snapshot } from '../../src/model/snapshot.js';
import { clusterInfos } from '../../src/poller/host-plan.js';
import { Recorder, type RecorderOptions } from '../../src/record/recorder.js';
import { createLvsStore, type LvsStore } from '../../src/store/lvs-store.js';
import { CAPTURES, config } from './console-store.js';
import { applyCaptures, type Captures } from './fixture-store.js';

/** The recorded incident starts here (UTC), one poll every 2 s. */
export const INCIDENT_START = Date.parse('2026-11-22T03:14:00Z');
export const POLL_MS = 2000;

/** director2's keepalived: FAULT (healthy), MASTER at priority -20 (two MASTERs for VRID 51: split brain), FAULT. */
export function incidentCaptures(poll: number, splitFrom = 10, splitTo = 20): Captures {
  const split = poll >= splitFrom && poll < splitTo;
  // director1's IPVS counters move (two captured stats, alternating), so rates and history change too.
  const stats = poll % 2 === 0 ? 'healthy/director1/ipvsadm-Ln-stats.txt' : 'failover/director1/ipvsadm-Ln-stats.txt';
  return {
    director1: { ...CAPTURES.director1, 'ipvs-stats': stats },
    director2: {
      ...CAPTURES.director2,
      keepalived: split ? 'keepalived-netns/prio-minus20.dump.txt' : 'keepalived-netns/fault.dump.txt',
    },
  };
}

/** A fresh store that derives events from its own changes, as the fleet's does. */
export function incidentStore(): LvsStore {
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: Object.keys(config.hosts),
    pollIntervalMs: POLL_MS,
    readOnly: false,
  });
  const lastKnown = new Map<string, string>();
  store.subscribe((next, prev) => {
    const events = diffEvents(prev, next, Date.now(), lastKnown);
    if (events.length > 0) next.addEvents(events);
  });
  return store;
}

export interface RecordedIncident {
  /** After each poll (once the recorder has written it): the time and what `snapshot --json` gave then. */
  readonly live: readonly { readonly at: number; readonly snapshot: Snapshot }[];
  readonly warnings: readonly string[];
  readonly recorder: Recorder;
}

/**
 * Record `polls` polls of the captured incident into `dir` on fake timers: healthy, split brain (polls 10-19),
 * healthy again. The caller restores real timers.
 */
export async function recordIncident(
  dir: string,
  options: Partial<Omit<RecorderOptions, 'store' | 'dir'>> & { polls?: number } = {},
): Promise<RecordedIncident> {
  vi.useFakeTimers({
    now: INCIDENT_START,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  const store = incidentStore();
  const warnings: string[] = [];
  const recorder = new Recorder({
    store,
    dir,
    site: 'lab',
    summary: {
      clusters: config.clusters.map((c) => c.name),
      hosts: Object.keys(config.hosts),
      pollIntervalMs: POLL_MS,
    },
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  applyCaptures(store, config, incidentCaptures(0), Date.now());
  await recorder.start();
  const live: { at: number; snapshot: Snapshot }[] = [];
  for (let poll = 1; poll < (options.polls ?? 30); poll++) {
    await vi.advanceTimersByTimeAsync(POLL_MS / 2);
    applyCaptures(store, config, incidentCaptures(poll), Date.now());
    await vi.advanceTimersByTimeAsync(POLL_MS / 2);
    live.push({ at: Date.now(), snapshot: buildSnapshot(store.getState(), Date.now()) });
  }
  await recorder.stop();
  return { live, warnings, recorder };
}
