import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, createGzip, type Gzip } from 'node:zlib';
import type { LvsStore } from '../store/lvs-store.js';
import { RecordEncoder } from './record-codec.js';
import { RECORD_FORMAT_VERSION, segmentName, type RecordHeader, type RecordLine } from './record-format.js';
import { enforceRetention, type Retention } from './retention.js';

export interface RecorderOptions {
  readonly store: LvsStore;
  readonly dir: string;
  readonly site: string;
  readonly summary: RecordHeader['summary'];
  /** Segment file names start with this (default `lvstop-`). */
  readonly prefix?: string;
  /** Oldest segments go first once the directory holds more than this, or they are older than maxAgeMs. */
  readonly retention?: Partial<Retention>;
  /** A new segment (with a keyframe) after this long or this many compressed bytes. */
  readonly segmentMs?: number;
  readonly segmentBytes?: number;
  /** A keyframe within the segment this long after the last: a seek applies at most this much of patches. */
  readonly keyframeMs?: number;
  /** Store changes coalesce this long into one patch. */
  readonly batchMs?: number;
  /** Compressed output reaches the file at least this often: a crash loses at most this much. */
  readonly flushMs?: number;
  /** Bytes written and not yet taken by the disk before patches are dropped (the next segment starts whole). */
  readonly maxBacklogBytes?: number;
  /** Said once, when recording stops because it cannot write (full disk, unwritable directory). */
  readonly onWarning: (message: string) => void;
  readonly now?: () => number;
}

export const DEFAULT_SEGMENT_MS = 2 * 60_000;
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
export const DEFAULT_BATCH_MS = 200;
export const DEFAULT_KEYFRAME_MS = 30_000;
/** zlib level 3: about half the CPU of the default 6 on these lines, for a quarter more bytes. */
export const GZIP_LEVEL = 3;

interface Segment {
  readonly file: string;
  readonly gzip: Gzip;
  readonly out: WriteStream;
  readonly startedAt: number;
  keyAt: number;
  /** Lines since the last flush: they go to gzip together, once a second (one compression call, not one a line). */
  pending: string[];
  pendingBytes: number;
}

/**
 * Records a store into gzip segments: header and keyframe first, then a patch per batch of changes. Writes are
 * asynchronous and bounded: a slow disk drops patches (the next segment starts with a keyframe), a failing one stops
 * recording with one warning. Polling never waits for it.
 */
export class Recorder {
  private readonly encoder = new RecordEncoder();
  private segment: Segment | undefined;
  private unsubscribe: (() => void) | undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private failed = false;
  private dropped = false;
  private readonly now: () => number;

  constructor(private readonly options: RecorderOptions) {
    this.now = options.now ?? Date.now;
  }

  get recording(): boolean {
    return this.segment !== undefined && !this.failed;
  }

  /** Current segment's file, for tests and the log. */
  get file(): string | undefined {
    return this.segment?.file;
  }

  async start(): Promise<void> {
    try {
      await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
      await chmod(this.options.dir, 0o700);
    } catch (err) {
      return this.fail(err as NodeJS.ErrnoException);
    }
    this.encoder.written.follow(this.options.store);
    this.openSegment();
    this.unsubscribe = this.options.store.subscribe(() => this.schedule());
    this.flushTimer = setInterval(() => this.flush(), this.options.flushMs ?? 1000);
    this.flushTimer.unref();
  }

  /** Write what is pending and close the segment (its gzip trailer written). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.flushTimer);
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
      this.writePatch();
    }
    this.encoder.written.stop();
    await this.closeSegment();
  }

  private schedule(): void {
    this.batchTimer ??= setTimeout(() => {
      this.batchTimer = undefined;
      this.writePatch();
    }, this.options.batchMs ?? DEFAULT_BATCH_MS);
  }

  private writePatch(): void {
    if (this.failed || !this.segment) return;
    const at = this.now();
    const s = this.segment;
    if (
      this.dropped ||
      at - s.startedAt >= (this.options.segmentMs ?? DEFAULT_SEGMENT_MS) ||
      s.out.bytesWritten + s.out.writableLength >= (this.options.segmentBytes ?? DEFAULT_SEGMENT_BYTES)
    ) {
      // Whatever changed before the rotation lands in the old segment, so the new keyframe continues it exactly.
      if (!this.dropped) this.writeLine(this.encoder.patch(this.options.store.getState(), at));
      void this.closeSegment();
      this.openSegment();
      return;
    }
    this.writeLine(this.encoder.patch(this.options.store.getState(), at));
    // A keyframe now and then inside the segment too: it costs little next to the patches, and bounds a seek.
    if (at - s.keyAt >= (this.options.keyframeMs ?? DEFAULT_KEYFRAME_MS)) {
      s.keyAt = at;
      this.writeLine(this.encoder.keyframe(this.options.store.getState(), at));
    }
  }

  private openSegment(): void {
    if (this.failed) return;
    const at = this.now();
    const o = this.options;
    const file = join(o.dir, segmentName(o.prefix ?? 'lvstop-', o.site, at));
    const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
    const gzip = createGzip({ level: GZIP_LEVEL });
    gzip.pipe(out);
    const segment: Segment = { file, gzip, out, startedAt: at, keyAt: at, pending: [], pendingBytes: 0 };
    out.on('error', (err: NodeJS.ErrnoException) => this.fail(err));
    gzip.on('error', (err: NodeJS.ErrnoException) => this.fail(err));
    this.segment = segment;
    this.dropped = false;
    const state = o.store.getState();
    const header: RecordHeader = {
      t: 'header',
      v: RECORD_FORMAT_VERSION,
      at,
      site: o.site,
      seed: {
        clusters: state.clusters,
        hosts: Object.keys(state.hosts),
        pollIntervalMs: state.pollIntervalMs,
        readOnly: true,
      },
      summary: o.summary,
    };
    this.writeLine(header);
    this.writeLine(this.encoder.keyframe(state, at));
    void enforceRetention(o.dir, { ...o.retention, keep: file }).catch(() => undefined);
  }

  private writeLine(line: RecordLine | undefined): void {
    const s = this.segment;
    if (!line || !s || this.failed) return;
    // Bounded: a disk that does not keep up costs patches, never memory or the poll loop.
    const backlog = s.out.writableLength + s.gzip.writableLength + s.pendingBytes;
    if (backlog > (this.options.maxBacklogBytes ?? 4 * 1024 * 1024)) {
      this.dropped = true;
      return;
    }
    const text = JSON.stringify(line) + '\n';
    s.pending.push(text);
    s.pendingBytes += text.length;
  }

  /** The lines gathered since the last flush into gzip, and gzip's output to the file. */
  private flush(): void {
    const s = this.segment;
    if (this.failed || !s) return;
    this.drain(s);
    s.gzip.flush(constants.Z_SYNC_FLUSH);
  }

  private drain(s: Segment): void {
    if (s.pending.length === 0) return;
    s.gzip.write(s.pending.join(''));
    s.pending = [];
    s.pendingBytes = 0;
  }

  private closeSegment(): Promise<void> {
    const s = this.segment;
    this.segment = undefined;
    if (!s) return Promise.resolve();
    if (!this.failed) this.drain(s);
    return new Promise((resolve) => {
      s.out.once('close', resolve);
      s.out.once('error', () => resolve());
      s.gzip.end();
    });
  }

  private fail(err: NodeJS.ErrnoException): void {
    if (this.failed) return;
    this.failed = true;
    this.unsubscribe?.();
    this.encoder.written.stop();
    clearInterval(this.flushTimer);
    clearTimeout(this.batchTimer);
    const s = this.segment;
    this.segment = undefined;
    s?.gzip.destroy();
    s?.out.destroy();
    const why = err.code === 'ENOSPC' ? 'disk full' : err.code === 'EACCES' ? 'permission denied' : err.message;
    this.options.onWarning(`recording stopped: ${this.options.dir}: ${why}; the console goes on without recording`);
  }
}
