import type { LvsState, LvsStore } from '../store/lvs-store.js';
import type { LvsEvent } from '../store/store-types.js';
import type { RecordDecoder } from './record-codec.js';
import { findLast, type Cursor, type Recording } from './recording.js';
import { mayHold, patchOf } from './segment-reader.js';

export const SPEEDS = [1, 2, 4, 8, 16, 32, 64] as const;
const TICK_MS = 250;

/** Alerts are the events that need someone: warnings and criticals (a split brain's begin and end among them). */
export const isAlertEvent = (e: LvsEvent) => e.severity !== 'info';

/** The slices a replay moves from a rebuilt store into the one on screen. */
function dataOf(s: LvsState): Partial<LvsState> {
  const { hosts, ipvs, keepalived, replication, nfs, probes, history, events, audit, jumpHost } = s;
  return { hosts, ipvs, keepalived, replication, nfs, probes, history, events, audit, jumpHost };
}

/**
 * Plays a recording into one store: seek (a keyframe and the patches after it), play at ×1..×64, step from event to
 * event. Its clock is the recorded time, never the wall clock.
 */
export class ReplayPlayer {
  readonly store: LvsStore;
  position: number;
  end: number;
  playing = false;
  speed: (typeof SPEEDS)[number] = 1;
  private cursors: Cursor[] = [];
  private decoders: RecordDecoder[] = [];
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    readonly recording: Recording,
    end: number,
  ) {
    this.store = recording.emptyStore();
    this.position = recording.start;
    this.end = end;
  }

  get start(): number {
    return this.recording.start;
  }

  now = (): number => this.position;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Runs one move at a time: keys pressed during a seek wait for it. */
  private serial(fn: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(fn, fn);
    return this.busy;
  }

  seek(at: number): Promise<void> {
    return this.serial(() => this.seekNow(at));
  }

  private async seekNow(at: number): Promise<void> {
    const to = Math.min(this.end, Math.max(this.start, at));
    const built = await this.recording.stateAt(to);
    this.cursors = built.cursors;
    this.decoders = built.decoders;
    this.store.setState(dataOf(built.store.getState()));
    this.position = to;
    this.changed();
  }

  /** Move forward to `at`, applying the patches on the way (rebuilding at a keyframe). */
  private async advanceNow(at: number): Promise<void> {
    const to = Math.min(this.end, at);
    const sites = this.recording.sites;
    for (let i = 0; i < sites.length; i++) {
      const r = await this.recording.applyUntil(this.store, sites[i]!, this.decoders[i]!, this.cursors[i]!, to);
      if (r === 'keyframe') return this.seekNow(to);
    }
    this.position = to;
    this.changed();
  }

  togglePlay(): void {
    if (this.playing) return this.pause();
    if (this.position >= this.end) void this.seek(this.start);
    this.playing = true;
    this.timer = setInterval(() => {
      void this.serial(async () => {
        if (!this.playing) return;
        await this.advanceNow(this.position + TICK_MS * this.speed);
        if (this.position >= this.end) this.pause();
      });
    }, TICK_MS);
    this.changed();
  }

  pause(): void {
    this.playing = false;
    clearInterval(this.timer);
    this.timer = undefined;
    this.changed();
  }

  faster(by: 1 | -1): void {
    const i = SPEEDS.indexOf(this.speed) + by;
    this.speed = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, i))]!;
    this.changed();
  }

  /**
   * The time of the next (or previous) recorded line that brought an event (or an alert, `alertsOnly`), after (or
   * before) `from`; undefined when there is none.
   */
  async findEvent(from: number, direction: 1 | -1, alertsOnly: boolean): Promise<number | undefined> {
    let best: number | undefined;
    for (const site of this.recording.sites) {
      const n = site.segments.length;
      const first = Math.max(
        0,
        findLast(site.segments, (s) => s.header.at <= from),
      );
      for (let si = first; si >= 0 && si < n; si += direction) {
        const lines = (await this.recording.segment(site, si)).lines;
        const found = (direction > 0 ? lines : [...lines].reverse()).find(
          (l) =>
            (direction > 0 ? l.at > from : l.at < from) &&
            mayHold(l, 'events') &&
            (patchOf(l)?.events ?? []).some((e) => !alertsOnly || isAlertEvent(e)),
        );
        if (found) {
          if (best === undefined || (direction > 0 ? found.at < best : found.at > best)) best = found.at;
          break;
        }
      }
    }
    return best;
  }

  /** Go to the next or previous event (alert); false when there is none that way. */
  async step(direction: 1 | -1, alertsOnly: boolean): Promise<boolean> {
    await this.busy;
    const at = await this.findEvent(this.position, direction, alertsOnly);
    if (at === undefined) return false;
    this.pause();
    await this.seek(at);
    return true;
  }

  close(): void {
    this.pause();
    this.listeners.clear();
  }
}
