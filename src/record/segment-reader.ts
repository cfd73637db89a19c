import { open, readFile } from 'node:fs/promises';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import type { PatchLine, RecordHeader, RecordLine } from './record-format.js';

/**
 * One line of a segment. Keyframes and patches stay text until used: a seek parses the keyframe before its moment and
 * the patches up to it, never the rest of the segment (a parsed patch is kept in `parsed`).
 */
export type DecodedLine =
  | { readonly t: 'header'; readonly at: number; readonly line: RecordLine }
  | { readonly t: 'key'; readonly at: number; readonly raw: string }
  | { readonly t: 'patch'; readonly at: number; readonly raw: string; parsed?: PatchLine | null };

export interface DecodedSegment {
  readonly lines: readonly DecodedLine[];
  /** Why decoding stopped before the end of the file (corrupt data), absent when it read to the end. */
  readonly damage?: string;
  /** The file ends without its gzip trailer: cut short by a crash, or still being written. */
  readonly cutShort: boolean;
}

/** A patch line's content, parsed once; undefined for a line that is not JSON after all. */
export function patchOf(l: DecodedLine): PatchLine | undefined {
  if (l.t !== 'patch') return undefined;
  if (l.parsed === undefined) {
    try {
      l.parsed = JSON.parse(l.raw) as PatchLine;
    } catch {
      l.parsed = null;
    }
  }
  return l.parsed ?? undefined;
}

/** Whether a patch line brings events or audit lines, without parsing it (JSON escapes quotes inside strings). */
export const mayHold = (l: DecodedLine, key: 'events' | 'audit') => l.t === 'patch' && l.raw.includes(`"${key}":[`);

const GZIP_MAGIC = [0x1f, 0x8b];
const PIECE = 16 * 1024;

/** Inflate as far as the data goes: output before a corrupt or missing part is kept. */
function gunzipTolerant(data: Buffer, piece = PIECE): Promise<{ text: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (error?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      resolve({ text: Buffer.concat(chunks).toString('utf8'), ...(error ? { error } : {}) });
    };
    gunzip.on('data', (c: Buffer) => chunks.push(c));
    gunzip.on('end', () => done());
    gunzip.on('error', (err: NodeJS.ErrnoException) => done(err));
    // Fed in pieces, so a corrupt stretch costs at most one piece of what came before it.
    let offset = 0;
    const feed = () => {
      while (offset < data.length && !settled) {
        const part = data.subarray(offset, offset + piece);
        offset += piece;
        if (!gunzip.write(part)) return void gunzip.once('drain', feed);
      }
      if (!settled) gunzip.end();
    };
    feed();
  });
}

export class NotARecordingError extends Error {}

/** The whole file inflated at once; a file cut short gives what it holds. Undefined when the data is damaged. */
function gunzipWhole(data: Buffer): { text: string; cutShort: boolean } | undefined {
  try {
    return { text: gunzipSync(data).toString('utf8'), cutShort: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') return undefined;
  }
  try {
    return { text: gunzipSync(data, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8'), cutShort: true };
  } catch {
    return undefined;
  }
}

const LINE_START = /^\{"t":"(key|patch)","at":(\d+)[,}]/;

/** Decode a segment file's lines; a partial last line is skipped, a line that is not a record ends the segment. */
export async function readSegment(file: string): Promise<DecodedSegment> {
  const data = await readFile(file);
  if (data[0] !== GZIP_MAGIC[0] || data[1] !== GZIP_MAGIC[1])
    throw new NotARecordingError(`${file}: not an lvstop recording (not gzip data)`);
  let whole = gunzipWhole(data);
  let damage: string | undefined;
  if (!whole) {
    // Damaged: decode in small pieces, to keep as much as possible of what comes before the damage.
    const { text, error } = await gunzipTolerant(data, 1024);
    const cutShort = error?.code === 'Z_BUF_ERROR';
    damage = error && !cutShort ? error.message : undefined;
    whole = { text, cutShort };
  }
  const raw = whole.text.split('\n');
  // The last piece has no newline: a line cut off mid-write, or empty.
  raw.pop();
  const lines: DecodedLine[] = [];
  for (const r of raw) {
    const m = LINE_START.exec(r);
    if (m && r.endsWith('}')) {
      lines.push(m[1] === 'key' ? { t: 'key', at: Number(m[2]), raw: r } : { t: 'patch', at: Number(m[2]), raw: r });
      continue;
    }
    try {
      const line = JSON.parse(r) as RecordLine;
      if (line.t !== 'header' || typeof line.at !== 'number') throw new Error('not a record');
      lines.push({ t: line.t, at: line.at, line });
    } catch {
      damage ??= 'a line is not a record';
      break;
    }
  }
  return { lines, ...(damage ? { damage } : {}), cutShort: whole.cutShort };
}

/** The first `size` bytes of a segment file, inflated as far as they go; `all` when they are the whole file. */
async function inflateStart(file: string, size: number): Promise<{ text: string; all: boolean }> {
  const handle = await open(file, 'r');
  const buf = Buffer.alloc(size);
  let data: Buffer;
  try {
    data = buf.subarray(0, (await handle.read(buf, 0, size, 0)).bytesRead);
  } finally {
    await handle.close();
  }
  if (data[0] !== GZIP_MAGIC[0] || data[1] !== GZIP_MAGIC[1])
    throw new NotARecordingError(`${file}: not an lvstop recording (not gzip data)`);
  let text: string;
  try {
    text = gunzipSync(data, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  } catch {
    text = (await gunzipTolerant(data, 512)).text;
  }
  return { text, all: data.length < size };
}

/** The first line of a segment (its header), inflated from the file's start only. */
export async function readSegmentHeader(file: string): Promise<RecordLine> {
  for (let size = 16 * 1024; ; size *= 4) {
    const { text, all } = await inflateStart(file, size);
    const nl = text.indexOf('\n');
    // The header is longer than what was read: read more of the file.
    if (nl < 0 && !all && size < 16 * 1024 * 1024) continue;
    try {
      const line = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as RecordLine;
      if (line.t === 'header') return line;
    } catch {
      // below
    }
    throw new NotARecordingError(`${file}: not an lvstop recording (no header line)`);
  }
}

/** What a segment's header says about where it belongs: its site, time and format version. */
export type SegmentStart = Pick<RecordHeader, 't' | 'v' | 'at' | 'site'>;

const HEADER_START = /^\{"t":"header","v":(\d+),"at":(\d+),"site":("(?:[^"\\]|\\.)*")/;

/**
 * A segment's site, time and version from the first bytes of the file, without the rest of its header (the seed
 * with every host): opening a week of segments reads a few KB of each. Falls back to the whole header.
 */
export async function readSegmentStart(file: string): Promise<SegmentStart> {
  const m = HEADER_START.exec((await inflateStart(file, 2048)).text);
  if (m) return { t: 'header', v: Number(m[1]), at: Number(m[2]), site: JSON.parse(m[3]!) as string };
  const h = (await readSegmentHeader(file)) as RecordHeader;
  return { t: 'header', v: h.v, at: h.at, site: h.site };
}
