import type { StoreSeed } from '../store/lvs-store.js';
import type { StateSlices } from '../serve/state-diff.js';
import type { EntryDelta } from './entry-delta.js';

/**
 * A recording is JSON lines in gzip: each segment file opens with a header and a keyframe (the full state), then
 * patches. Bumped when a line changes shape; a reader refuses a newer version.
 */
export const RECORD_FORMAT_VERSION = 1;
export const SEGMENT_SUFFIX = '.lvrec.gz';

/** What was watched: enough to rebuild the store's seed, and a summary for `--summary`. */
export interface RecordHeader {
  readonly t: 'header';
  readonly v: number;
  readonly at: number;
  readonly site: string;
  readonly seed: StoreSeed;
  readonly summary: {
    readonly clusters: readonly string[];
    readonly hosts: readonly string[];
    readonly pollIntervalMs: number;
    readonly configFile?: string;
    readonly lvstop?: string;
  };
}

export interface KeyframeLine {
  readonly t: 'key';
  readonly at: number;
  readonly state: StateSlices;
}

export interface PatchLine {
  readonly t: 'patch';
  readonly at: number;
  /** Per record slice, per key: the entry's change (EntryDelta), or null when the key went away. */
  readonly d?: Readonly<Record<string, Readonly<Record<string, EntryDelta | null>>>>;
  readonly events?: StateSlices['events'];
  readonly audit?: StateSlices['audit'];
  readonly jumpHost?: StateSlices['jumpHost'] | null;
}

export type RecordLine = RecordHeader | KeyframeLine | PatchLine;

/** `20261121T031405.123Z`: segment names sort by time. */
export function segmentStamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '');
}

/** Site names become part of a file name: anything but letters, digits, dot, dash and underscore becomes `_`. */
export function segmentName(prefix: string, site: string, at: number): string {
  return `${prefix}${site.replace(/[^\w.-]/g, '_')}-${segmentStamp(at)}${SEGMENT_SUFFIX}`;
}
