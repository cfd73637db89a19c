/**
 * A simulated fleet for the recording bench: hosts fed through the poller's own host plans with captured output
 * (IPVS counters grow every poll, directors' VRRP states flip now and then so the event ring fills as a day's would),
 * landing in the store in 50 ms windows as the fleet's commit window lands them, and written in the recorder's format.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { constants, createGzip, type Gzip } from 'node:zlib';
import type { SectionOutput } from '../collectors/section.js';
import { parseConfigText } from '../src/config/load-config.js';
import { diffEvents } from '../src/model/events.js';
import { STORE_COMMIT_WINDOW_MS } from '../src/poller/fleet.js';
import { clusterInfos, planHost } from '../src/poller/host-plan.js';
import { RecordEncoder } from '../src/record/record-codec.js';
import { RECORD_FORMAT_VERSION, segmentName, type RecordHeader } from '../src/record/record-format.js';
import { DEFAULT_BATCH_MS, DEFAULT_KEYFRAME_MS, DEFAULT_SEGMENT_MS, GZIP_LEVEL } from '../src/record/recorder.js';
import { createLvsStore, type LvsStore } from '../src/store/lvs-store.js';

const root = resolve(import.meta.dirname, '../..');
const fx = (p: string) => readFileSync(resolve(root, 'test/fixtures', p), 'utf8');
export const POLL_MS = 2000;
export const START = Date.parse('2026-11-22T00:00:00Z');
/** A director pair's VRRP states swap this often (staggered across pairs): a transition event per director. */
const FLIP_MS = 40 * 60_000;

function fleetConfig(hosts: number) {
  const names = Array.from({ length: hosts }, (_, i) => `h${i}`);
  const pairs = Math.max(1, Math.floor(hosts / 3 / 2));
  const clusters = Array.from({ length: pairs }, (_, i) => ({
    name: `c${i}`,
    mode: 'dr',
    vips: ['10.18.11.40'],
    directors: [
      { host: names[2 * i]!, keepalived: { instances: ['VI_WEB'] } },
      { host: names[2 * i + 1]!, keepalived: { instances: ['VI_WEB'] } },
    ],
  }));
  return parseConfigText(
    JSON.stringify({ pollIntervalMs: POLL_MS, hosts: Object.fromEntries(names.map((n) => [n, {}])), clusters }),
    'bench.json',
  );
}

const STATS = fx('healthy/director1/ipvsadm-Ln-stats.txt');
const LIST = fx('healthy/director1/ipvsadm-Ln.txt');
const HOST_SECTIONS = {
  loadavg: fx('local/loadavg.txt'),
  uptime: fx('local/uptime.txt'),
  meminfo: fx('local/meminfo.txt'),
  osrelease: fx('local/osrelease.txt'),
  'ip-addr': fx('local/ip-addr.json'),
};
const KA = [fx('keepalived-netns/healthy-master.dump.txt'), fx('keepalived-netns/fault.dump.txt')];

/** Captured output at `ms` into the run: every standalone number on a counter line grows with the poll. */
function outputs(host: number, ms: number, director: boolean): Map<string, SectionOutput> {
  const poll = Math.floor(ms / POLL_MS);
  const grow = (n: string) => String(Number(n) + poll * (3 + (host % 7)));
  const sections: Record<string, string> = { ...HOST_SECTIONS };
  if (director) {
    sections['ipvs-list'] = LIST;
    sections['ipvs-stats'] = STATS.split('\n')
      .map((l, i) => (i < 3 ? l : l.replace(/(\s+)(\d+)(?=\s|$)/g, (_m, s: string, n: string) => s + grow(n))))
      .join('\n');
    const pair = Math.floor(host / 2);
    const flips = Math.floor((ms + (pair * FLIP_MS) / 50) / FLIP_MS);
    sections.keepalived = KA[(host + flips) % 2]!;
  }
  return new Map(Object.entries(sections).map(([id, stdout]) => [id, { id, stdout, stderr: '', exitCode: 0 }]));
}

export interface Sim {
  readonly store: LvsStore;
  /**
   * Poll the hosts due in simulated second `second` (every host once per 2 s), one commit window after the other;
   * `after` sees the time at the end of each window.
   */
  poll(second: number, after?: (at: number) => void): void;
}

export function simFleet(hosts: number): Sim {
  const config = fleetConfig(hosts);
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: Object.keys(config.hosts),
    pollIntervalMs: POLL_MS,
    readOnly: true,
  });
  // Events come from the store's own changes, as the fleet's do.
  const lastKnown = new Map<string, string>();
  let simNow = START;
  store.subscribe((next, prev) => {
    const events = diffEvents(prev, next, simNow, lastKnown);
    if (events.length > 0) next.addEvents(events);
  });
  const directors = new Set(config.clusters.flatMap((c) => c.directors.map((d) => d.host)));
  const plans = Object.keys(config.hosts).map((h) => ({ h, plan: planHost(config, h), director: directors.has(h) }));
  const windows = 1000 / STORE_COMMIT_WINDOW_MS;
  return {
    store,
    poll(second, after) {
      for (let w = 0; w < windows; w++) {
        const at = START + second * 1000 + w * STORE_COMMIT_WINDOW_MS;
        simNow = at;
        store.getState().batch(() => {
          plans.forEach(({ h, plan, director }, i) => {
            if (i % 2 !== second % 2 || Math.floor(i / 2) % windows !== w) return;
            store.getState().hostUp(h, at, 40);
            plan.apply(outputs(i, at - START, director), store.getState(), at);
          });
        });
        after?.(at + STORE_COMMIT_WINDOW_MS);
      }
    },
  };
}

/**
 * Writes the recorder's segments for a simulated run: header and keyframe each DEFAULT_SEGMENT_MS, a keyframe each
 * DEFAULT_KEYFRAME_MS inside, a patch per DEFAULT_BATCH_MS between.
 */
export class SegmentWriter {
  private readonly encoder = new RecordEncoder();
  private gzip: Gzip | undefined;
  private segmentStart = 0;
  private keyAt = 0;
  private pending: Promise<void> = Promise.resolve();
  private lastPatch = 0;

  constructor(
    private readonly sim: Sim,
    private readonly dir: string,
  ) {
    this.encoder.written.follow(sim.store);
  }

  /** At `at` (after a commit window): a patch per recorder batch, a new segment when one is due. */
  record = (at: number): void => {
    if (!this.gzip || at - this.segmentStart >= DEFAULT_SEGMENT_MS) {
      this.patch(at);
      this.gzip?.end();
      this.open(at);
      return;
    }
    if (at - this.lastPatch >= DEFAULT_BATCH_MS) this.patch(at);
    if (at - this.keyAt >= DEFAULT_KEYFRAME_MS) {
      this.keyAt = at;
      this.gzip.write(JSON.stringify(this.encoder.keyframe(this.sim.store.getState(), at)) + '\n');
    }
    // The recorder's flush, once a second.
    if ((at - START) % 1000 === 0) this.gzip.flush(constants.Z_SYNC_FLUSH);
  };

  private patch(at: number): void {
    const line = this.encoder.patch(this.sim.store.getState(), at);
    this.lastPatch = at;
    if (line) this.gzip?.write(JSON.stringify(line) + '\n');
  }

  private open(at: number): void {
    const chunks: Buffer[] = [];
    const z = createGzip({ level: GZIP_LEVEL });
    const file = join(this.dir, segmentName('lvstop-', 'bench', at));
    z.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((r) => z.on('end', () => r()));
    this.pending = Promise.all([this.pending, ended]).then(() => writeFileSync(file, Buffer.concat(chunks)));
    const s = this.sim.store.getState();
    const header: RecordHeader = {
      t: 'header',
      v: RECORD_FORMAT_VERSION,
      at,
      site: 'bench',
      seed: { clusters: s.clusters, hosts: Object.keys(s.hosts), pollIntervalMs: POLL_MS, readOnly: true },
      summary: { clusters: s.clusters.map((c) => c.name), hosts: Object.keys(s.hosts), pollIntervalMs: POLL_MS },
    };
    z.write(JSON.stringify(header) + '\n');
    z.write(JSON.stringify(this.encoder.keyframe(s, at)) + '\n');
    this.gzip = z;
    this.segmentStart = at;
    this.keyAt = at;
  }

  async close(): Promise<void> {
    this.encoder.written.stop();
    this.gzip?.end();
    await this.pending;
  }
}
