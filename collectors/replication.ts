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
  if (side === 'source' && opts.pusher) out.push({ id: `pusher-${pair}`, argv: ['pgrep', '-x', opts.pusher] });
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
        `${dir}/`,
        opts.rsyncTarget,
      ],
      timeoutSec: 15,
    });
  return out;
}

/** A heartbeat file holds the unix time (seconds, maybe fractional) the source wrote it. */
export function parseHeartbeat(text: string): ParseResult<number> {
  const t = text.trim();
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
  if (!/Number of files:/.test(text)) return parseError('rsync --stats: no "Number of files" line');
  const itemized = text
    .split('\n')
    .filter((l) => /^([<>ch.*][fdLDS]\S{9}|\*deleting) /.test(l) && !/^\.d\.\.t/.test(l));
  const size = /Total transferred file size: ([\d,]+) bytes/.exec(text);
  return ok({ pendingChanges: itemized.length, ...(size ? { pendingBytes: Number(size[1]!.replace(/,/g, '')) } : {}) });
}

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
  } else if (hb) heartbeatError = hb.stderr.trim().split('\n')[0] || `exit ${hb.exitCode}`;
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
        : dry.stderr.trim().split('\n')[0] || `rsync exit ${dry.exitCode}`;
  return {
    ...(heartbeat === undefined ? {} : { heartbeat }),
    ...(heartbeatError ? { heartbeatError } : {}),
    ...(pusher ? { pusherRunning: pusher.exitCode === 0 } : {}),
    ...(rsync ? { rsync } : {}),
    ...(rsyncError ? { rsyncError } : {}),
  };
}
