import { vi } from 'vitest';
import type { Config } from '../../src/config/config-schema.js';
import { diffEvents } from '../../src/model/events.js';
import { buildSnapshot, type Snapshot } from '../../src/model/snapshot.js';
import { clusterInfos } from '../../src/poller/host-plan.js';
import { Recorder, type RecorderOptions } from '../../src/record/recorder.js';
import { createLvsStore, type LvsStore } from '../../src/store/lvs-store.js';
import { CAPTURES, config } from './console-store.js';
import { applyCaptures, configOf, type Captures } from './fixture-store.js';

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

/** What a recording watched: its site name and config, and the config's name for each captured host. */
export interface IncidentSite {
  readonly site: string;
  readonly config: Config;
  readonly host: (captured: string) => string;
}

export const LAB_SITE: IncidentSite = { site: 'lab', config, host: (h) => h };

/** The lab's clusters and hosts under other names (`east-director1`, cluster `east-wordpress`): another site. */
export function renamedSite(site: string): IncidentSite {
  const name = (n: string) => `${site}-${n}`;
  const renamed = configOf({
    pollIntervalMs: config.pollIntervalMs,
    hosts: Object.fromEntries(Object.keys(config.hosts).map((h) => [name(h), {}])),
    clusters: config.clusters.map((c) => ({
      name: name(c.name),
      mode: c.mode,
      ...(c.vips.length > 0 ? { vips: c.vips } : {}),
      directors: c.directors.map((d) => ({
        host: name(d.host),
        ...(d.keepalived ? { keepalived: { instances: d.keepalived.instances } } : {}),
      })),
    })),
  });
  return { site, config: renamed, host: name };
}

const capturesFor = (site: IncidentSite, captures: Captures): Captures =>
  Object.fromEntries(Object.entries(captures).map(([h, c]) => [site.host(h), c]));

/** A fresh store that derives events from its own changes, as the fleet's does. */
export function incidentStore(config: Config = LAB_SITE.config): LvsStore {
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
  options: Partial<Omit<RecorderOptions, 'store' | 'dir'>> & { polls?: number; at?: IncidentSite } = {},
): Promise<RecordedIncident> {
  const at = options.at ?? LAB_SITE;
  const config = at.config;
  vi.useFakeTimers({
    now: INCIDENT_START,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  const store = incidentStore(config);
  const warnings: string[] = [];
  const recorder = new Recorder({
    store,
    dir,
    site: at.site,
    summary: {
      clusters: config.clusters.map((c) => c.name),
      hosts: Object.keys(config.hosts),
      pollIntervalMs: POLL_MS,
    },
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  applyCaptures(store, config, capturesFor(at, incidentCaptures(0)), Date.now());
  await recorder.start();
  const live: { at: number; snapshot: Snapshot }[] = [];
  for (let poll = 1; poll < (options.polls ?? 30); poll++) {
    await vi.advanceTimersByTimeAsync(POLL_MS / 2);
    applyCaptures(store, config, capturesFor(at, incidentCaptures(poll)), Date.now());
    await vi.advanceTimersByTimeAsync(POLL_MS / 2);
    live.push({ at: Date.now(), snapshot: buildSnapshot(store.getState(), Date.now()) });
  }
  await recorder.stop();
  return { live, warnings, recorder };
}
