import { MAX_LINE, decimalUint, isCounter } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

/** Sections for one side of a replication pair; ids are suffixed with the pair name. */
export function replicationSections(
  pair: string,
  side: 'source' | 'replica',
  opts: {
    readonly path: string;
    readonly heartbeatFile: string;
    readonly rsyncTarget?: string;
    readonly pusher?: string;
  },
): Section[] {
  const dir = opts.path.replace(/\/+$/, '');
  const out: Section[] = [{ id: `hb-${side}-${pair}`, file: `${dir}/${opts.heartbeatFile}` }];
  // Config values go after `--`, so a value that looks like an option (`-f`, `--rsh=…`) is only ever an operand.
  if (side === 'source' && opts.pusher) out.push({ id: `pusher-${pair}`, processNamed: opts.pusher });
  if (side === 'source' && opts.rsyncTarget)
    out.push({
      id: `rsync-dry-${pair}`,
      argv: [
        'rsync',
        '-n',
        '-a',
        '--delete',
        '--itemize-changes',
        '--stats',
        '--contimeout=5',
        '--timeout=10',
        '--',
        `${dir}/`,
        opts.rsyncTarget,
      ],
      timeoutSec: 15,
    });
  return out;
}

/** A heartbeat file holds the unix time (seconds, maybe fractional) the source wrote it. */
export function parseHeartbeat(text: string): ParseResult<number> {
  const t = text.length > 64 ? text.slice(0, 64) : text.trim();
  if (!/^\d{9,11}(\.\d+)?$/.test(t)) return parseError('heartbeat: expected unix seconds', 1, t);
  return ok(Number(t));
}

export interface RsyncDryRun {
  /** Files rsync would transfer or delete. */
  readonly pendingChanges: number;
  readonly pendingBytes?: number;
}

/** Parse `rsync -n --itemize-changes --stats`: count itemized lines, read the "Total transferred file size". */
export function parseRsyncDryRun(text: string): ParseResult<RsyncDryRun> {
  if (!text.includes('Number of files:')) return parseError('rsync --stats: no "Number of files" line');
  let pendingChanges = 0;
  let pendingBytes: number | undefined;
  for (const line of text.split('\n')) {
    // File names can be long; the itemize code is the first 11 characters.
    if (ITEMIZED.test(line.slice(0, 12)) && !line.startsWith('.d..t')) pendingChanges++;
    else if (line.startsWith('Total transferred file size: ') && line.length <= MAX_LINE) {
      const m = /^Total transferred file size: ([\d,]{1,40}) bytes/.exec(line);
      const n = m ? decimalUint(m[1]!.replace(/,/g, '')) : undefined;
      if (m && (n === undefined || !isCounter(n))) return parseError('rsync --stats: transferred size out of range');
      if (n !== undefined && pendingBytes === undefined) pendingBytes = n;
    }
  }
  return ok({ pendingChanges, ...(pendingBytes === undefined ? {} : { pendingBytes }) });
}

const ITEMIZED = /^([<>ch.*][fdLDS]\S{9}|\*deleting) /;

export interface ReplicationSide {
  readonly heartbeat?: number;
  readonly heartbeatError?: string;
  readonly pusherRunning?: boolean;
  readonly rsync?: RsyncDryRun;
  readonly rsyncError?: string;
}

export function interpretReplicationSide(
  pair: string,
  side: 'source' | 'replica',
  sections: ReadonlyMap<string, SectionOutput>,
): ReplicationSide {
  const hb = sections.get(`hb-${side}-${pair}`);
  let heartbeat: number | undefined;
  let heartbeatError: string | undefined;
  if (hb?.exitCode === 0) {
    const p = parseHeartbeat(hb.stdout);
    if (p.ok) heartbeat = p.value;
    else heartbeatError = p.error.message;
  } else if (hb) heartbeatError = hb.stderr.trim().split('\n')[0]?.slice(0, 300) || `exit ${hb.exitCode}`;
  const pusher = sections.get(`pusher-${pair}`);
  const dry = sections.get(`rsync-dry-${pair}`);
  let rsync: RsyncDryRun | undefined;
  let rsyncError: string | undefined;
  if (dry?.exitCode === 0) {
    const p = parseRsyncDryRun(dry.stdout);
    if (p.ok) rsync = p.value;
    else rsyncError = p.error.message;
  } else if (dry)
    rsyncError =
      dry.exitCode === 137
        ? 'rsync dry run killed after timeout'
        : dry.stderr.trim().split('\n')[0]?.slice(0, 300) || `rsync exit ${dry.exitCode}`;
  return {
    ...(heartbeat === undefined ? {} : { heartbeat }),
    ...(heartbeatError ? { heartbeatError } : {}),
    ...(pusher ? { pusherRunning: pusher.exitCode === 0 } : {}),
    ...(rsync ? { rsync } : {}),
    ...(rsyncError ? { rsyncError } : {}),
  };
}
