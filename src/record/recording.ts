import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { nameCollisions } from '../serve/attached-store.js';
import { createLvsStore, type LvsStore, type StoreSeed } from '../store/lvs-store.js';
import { RecordDecoder } from './record-codec.js';
import { RECORD_FORMAT_VERSION, SEGMENT_SUFFIX, type KeyframeLine, type PatchLine } from './record-format.js';
import {
  NotARecordingError,
  patchOf,
  readSegment,
  readSegmentHeader,
  readSegmentStart,
  type DecodedSegment,
  type SegmentStart,
} from './segment-reader.js';

/** Bad input (not a recording, a newer format, sites whose names clash): the command exits 2. */
export class RecordingError extends Error {}

export interface SegmentRef {
  readonly file: string;
  readonly header: SegmentStart;
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
    const skipped: string[] = [];
    // In a directory of segments, one whose start is damaged is left out; a file named on its own is refused.
    const inDirectory = (file: string) => lists.some((l) => l.length > 1 && l.includes(file));
    const starts = await inBatches(files, (file) =>
      readSegmentStart(file).catch((err: Error) => {
        if (!(err instanceof NotARecordingError)) throw err;
        if (!inDirectory(file)) throw new RecordingError(err.message);
        skipped.push(`${file}: skipped, its start is damaged`);
        return undefined;
      }),
    );
    const bySite = new Map<string, SegmentRef[]>();
    files.forEach((file, i) => {
      const header = starts[i];
      if (!header) return;
      if (typeof header.v !== 'number' || header.v > RECORD_FORMAT_VERSION)
        throw new RecordingError(
          `${file}: recording format version ${String(header.v)} is newer than this lvstop reads (${RECORD_FORMAT_VERSION}): replay it with a newer lvstop`,
        );
      const list = bySite.get(header.site);
      if (list) list.push({ file, header });
      else bySite.set(header.site, [{ file, header }]);
    });
    const sites: SiteRecording[] = [];
    for (const [site, segments] of bySite) {
      segments.sort((a, b) => a.header.at - b.header.at);
      sites.push({ site, seed: await newestSeed(segments), segments });
    }
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

/** `fn` over `items`, a few at a time (file reads overlap, open files stay few); results in order. */
async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, size = 16): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** The seed of a site's newest segment whose whole header reads (what the store replays into). */
async function newestSeed(segments: readonly SegmentRef[]): Promise<StoreSeed> {
  for (let i = segments.length - 1; i >= 0; i--) {
    const header = await readSegmentHeader(segments[i]!.file).catch(() => undefined);
    if (header?.t === 'header') return header.seed;
  }
  throw new RecordingError(
    `${segments[0]!.file}: no segment of site ${segments[0]!.header.site} has a readable header`,
  );
}

export function findLast<T>(list: readonly T[], test: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
