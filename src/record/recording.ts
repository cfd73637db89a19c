import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { nameCollisions } from '../serve/attached-store.js';
import { createLvsStore, type LvsStore, type StoreSeed } from '../store/lvs-store.js';
import { RecordDecoder } from './record-codec.js';
import {
  RECORD_FORMAT_VERSION,
  SEGMENT_SUFFIX,
  type KeyframeLine,
  type PatchLine,
  type RecordHeader,
} from './record-format.js';
import { NotARecordingError, patchOf, readSegment, readSegmentHeader, type DecodedSegment } from './segment-reader.js';

/** Bad input (not a recording, a newer format, sites whose names clash): the command exits 2. */
export class RecordingError extends Error {}

export interface SegmentRef {
  readonly file: string;
  readonly header: RecordHeader;
}

/** One site's segments, oldest first. */
export interface SiteRecording {
  readonly site: string;
  readonly seed: StoreSeed;
  readonly segments: readonly SegmentRef[];
}

/** A place in a site's recording: segment index and line index (the next line to apply). */
export interface Cursor {
  segment: number;
  line: number;
}

async function segmentFiles(path: string): Promise<string[]> {
  const s = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new RecordingError(`${path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
  });
  if (!s.isDirectory()) return [path];
  const files = (await readdir(path)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).map((n) => join(path, n));
  if (files.length === 0) throw new RecordingError(`${path}: no recordings in it (*${SEGMENT_SUFFIX})`);
  return files;
}

/** Recordings of one or more sites, read segment by segment (a few decoded segments kept). */
export class Recording {
  /** What replay should say about the files: damage, cut-short segments. */
  readonly notes: string[] = [];
  private readonly cache = new Map<string, Promise<DecodedSegment>>();
  private readonly noted = new Set<string>();

  private constructor(readonly sites: readonly SiteRecording[]) {}

  static async open(paths: readonly string[]): Promise<Recording> {
    const lists = await Promise.all(paths.map(segmentFiles));
    const files = [...new Set(lists.flat())];
    const refs: SegmentRef[] = [];
    const skipped: string[] = [];
    for (const file of files) {
      const header = await readSegmentHeader(file).catch((err: Error) => {
        if (!(err instanceof NotARecordingError)) throw err;
        // In a directory of segments, one whose start is damaged is left out; a file named on its own is refused.
        if (lists.some((l) => l.length > 1 && l.includes(file))) return undefined;
        throw new RecordingError(err.message);
      });
      if (!header) {
        skipped.push(`${file}: skipped, its start is damaged`);
        continue;
      }
      const h = header as RecordHeader;
      if (typeof h.v !== 'number' || h.v > RECORD_FORMAT_VERSION)
        throw new RecordingError(
          `${file}: recording format version ${String(h.v)} is newer than this lvstop reads (${RECORD_FORMAT_VERSION}): replay it with a newer lvstop`,
        );
      refs.push({ file, header: h });
    }
    const bySite = new Map<string, SegmentRef[]>();
    for (const r of refs) bySite.set(r.header.site, [...(bySite.get(r.header.site) ?? []), r]);
    const sites = [...bySite].map(([site, segments]) => {
      segments.sort((a, b) => a.header.at - b.header.at);
      return { site, seed: segments[segments.length - 1]!.header.seed, segments };
    });
    const clashes = nameCollisions(
      sites.map((s) => ({
        target: s.site,
        hello: { t: 'hello' as const, v: 0, site: s.site, seed: s.seed, allowActions: false, operator: '' },
      })),
    );
    if (clashes.length > 0)
      throw new RecordingError(`these recordings share names, replay them one at a time: ${clashes.join(', ')}`);
    if (sites.length === 0) throw new RecordingError(`${paths.join(', ')}: no readable recording`);
    const recording = new Recording(sites);
    recording.notes.push(...skipped);
    return recording;
  }

  get start(): number {
    return Math.min(...this.sites.map((s) => s.segments[0]!.header.at));
  }

  /** The last recorded line's time (reads the newest segments). */
  async end(): Promise<number> {
    let end = this.start;
    for (const s of this.sites) {
      for (let i = s.segments.length - 1; i >= 0; i--) {
        const lines = (await this.segment(s, i)).lines;
        if (lines.length > 0) {
          end = Math.max(end, lines[lines.length - 1]!.at);
          break;
        }
      }
    }
    return end;
  }

  /** The store every site's state goes into, side by side (as attach does for several serves). */
  emptyStore(): LvsStore {
    const seeds = this.sites.map((s) => s.seed);
    return createLvsStore({
      clusters: seeds.flatMap((s) => s.clusters),
      hosts: seeds.flatMap((s) => s.hosts),
      pollIntervalMs: Math.min(...seeds.map((s) => s.pollIntervalMs)),
      readOnly: true,
    });
  }

  async segment(site: SiteRecording, index: number): Promise<DecodedSegment> {
    const ref = site.segments[index]!;
    let p = this.cache.get(ref.file);
    if (!p) {
      p = readSegment(ref.file).then((d) => {
        this.note(ref, d, site.segments[index + 1]);
        return d;
      });
      this.cache.set(ref.file, p);
      // A few segments stay decoded: stepping back and forth near one moment does not decode them again.
      for (const k of this.cache.keys()) if (this.cache.size > 4 && k !== ref.file) this.cache.delete(k);
    }
    return p;
  }

  private note(ref: SegmentRef, d: DecodedSegment, next: SegmentRef | undefined): void {
    if (this.noted.has(ref.file)) return;
    this.noted.add(ref.file);
    const last = d.lines[d.lines.length - 1]?.at;
    const until = last === undefined ? '' : ` after ${new Date(last).toISOString()}`;
    const then = next ? `; replay goes on from ${new Date(next.header.at).toISOString()}` : '';
    if (d.damage)
      this.notes.push(`${ref.file}: damaged${until} (${d.damage}): the rest of that segment is lost${then}`);
    else if (d.cutShort && next) this.notes.push(`${ref.file}: cut short${until}${then}`);
  }

  /**
   * A store holding every site's state as of `at`, and for each site the cursor of its next line. A site's state
   * comes from its last keyframe at or before `at` and the patches after it.
   */
  async stateAt(at: number): Promise<{ store: LvsStore; cursors: Cursor[]; decoders: RecordDecoder[] }> {
    const store = this.emptyStore();
    const cursors: Cursor[] = [];
    const decoders: RecordDecoder[] = [];
    for (const site of this.sites) {
      const decoder = new RecordDecoder();
      decoders.push(decoder);
      let si = Math.max(
        0,
        findLast(site.segments, (s) => s.header.at <= at),
      );
      // Back to the newest segment with a keyframe at or before `at` (a damaged one may have none).
      let start = -1;
      for (; si >= 0; si--) {
        const lines = (await this.segment(site, si)).lines;
        start = findLast(lines, (l) => l.t === 'key' && l.at <= at);
        if (start >= 0) break;
      }
      if (si < 0) {
        // `at` is before the site's first keyframe: its first state is all there is to show.
        cursors.push({ segment: 0, line: 0 });
        continue;
      }
      const cursor = { segment: si, line: start };
      await this.applyUntil(store, site, decoder, cursor, at);
      cursors.push(cursor);
    }
    return { store, cursors, decoders };
  }

  /**
   * Apply `site`'s lines from `cursor` up to `at` (inclusive), moving the cursor. Stops at a keyframe after the
   * first line (returned: the caller decides whether to rebuild from it); a keyframe at the cursor is applied.
   */
  async applyUntil(
    store: LvsStore,
    site: SiteRecording,
    decoder: RecordDecoder,
    cursor: Cursor,
    at: number,
  ): Promise<'done' | 'keyframe'> {
    let first = true;
    // Patches gather and land together (RecordDecoder.patches): one store change per call, not one per patch.
    const pending: PatchLine[] = [];
    const land = () => {
      if (pending.length > 0) decoder.patches(store, pending);
      pending.length = 0;
    };
    while (cursor.segment < site.segments.length) {
      const lines = (await this.segment(site, cursor.segment)).lines;
      while (cursor.line < lines.length) {
        const l = lines[cursor.line]!;
        if (l.at > at || (l.t === 'key' && !first)) {
          land();
          return l.at > at ? 'done' : 'keyframe';
        }
        if (l.t === 'key') {
          decoder.keyframe(store, JSON.parse(l.raw) as KeyframeLine);
        } else {
          const p = patchOf(l);
          if (p) pending.push(p);
        }
        first = false;
        cursor.line++;
      }
      cursor.segment++;
      cursor.line = 0;
    }
    land();
    return 'done';
  }
}

export function findLast<T>(list: readonly T[], test: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
