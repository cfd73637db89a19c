import { open, readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { RecordLine } from './record-format.js';

/** One line of a segment: keyframes stay text until used (the replaying store extends their history in place). */
export type DecodedLine =
  | { readonly t: 'header' | 'patch'; readonly at: number; readonly line: RecordLine }
  | { readonly t: 'key'; readonly at: number; readonly raw: string };

export interface DecodedSegment {
  readonly lines: readonly DecodedLine[];
  /** Why decoding stopped before the end of the file (corrupt data), absent when it read to the end. */
  readonly damage?: string;
  /** The file ends without its gzip trailer: cut short by a crash, or still being written. */
  readonly cutShort: boolean;
}

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

/** Decode a segment file's lines; a partial last line is skipped, a line that is not JSON ends the segment. */
export async function readSegment(file: string): Promise<DecodedSegment> {
  const data = await readFile(file);
  if (data[0] !== GZIP_MAGIC[0] || data[1] !== GZIP_MAGIC[1])
    throw new NotARecordingError(`${file}: not an lvstop recording (not gzip data)`);
  let { text, error } = await gunzipTolerant(data);
  // Damaged: decode again in small pieces, to keep as much as possible of what comes before the damage.
  if (error && error.code !== 'Z_BUF_ERROR') ({ text, error } = await gunzipTolerant(data, 1024));
  const cutShort = error?.code === 'Z_BUF_ERROR';
  let damage = error && !cutShort ? error.message : undefined;
  const raw = text.split('\n');
  // The last piece has no newline: a line cut off mid-write, or empty.
  raw.pop();
  const lines: DecodedLine[] = [];
  for (const r of raw) {
    const at = /"at":(\d+)/.exec(r.slice(0, 40));
    if (r.startsWith('{"t":"key"') && at) {
      lines.push({ t: 'key', at: Number(at[1]), raw: r });
      continue;
    }
    try {
      const line = JSON.parse(r) as RecordLine;
      if ((line.t !== 'header' && line.t !== 'patch') || typeof line.at !== 'number') throw new Error('not a record');
      lines.push({ t: line.t, at: line.at, line });
    } catch {
      damage ??= 'a line is not a record';
      break;
    }
  }
  return { lines, ...(damage ? { damage } : {}), cutShort };
}

/** The first line of a segment (its header), read from the file's start only. */
export async function readSegmentHeader(file: string): Promise<RecordLine> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const data = buf.subarray(0, bytesRead);
    if (data[0] !== GZIP_MAGIC[0] || data[1] !== GZIP_MAGIC[1])
      throw new NotARecordingError(`${file}: not an lvstop recording (not gzip data)`);
    const { text } = await gunzipTolerant(data, 512);
    const first = text.slice(0, text.indexOf('\n'));
    try {
      const line = JSON.parse(first) as RecordLine;
      if (line.t === 'header') return line;
    } catch {
      // below
    }
    throw new NotARecordingError(`${file}: not an lvstop recording (no header line)`);
  } finally {
    await handle.close();
  }
}
