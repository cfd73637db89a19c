import { MAX_LINE } from './field-ranges.js';
import { ConnGroup, type ConnGroupCounts } from './ipvs-conn-groups.js';
import { newConnLine, readConnLine, readGroupFields, readPairFields, type ConnLine } from './ipvs-conn-line.js';
import { TailCache } from './ipvs-conn-tails.js';
import { startsWith, trimmedEnd } from './ipvs-line-scan.js';
import type { CommandSection } from './section.js';
import { SLOTS } from './top-clients.js';

export type { ConnGroupCounts, ConnProtocol } from './ipvs-conn-groups.js';
export type { ClientCount } from './top-clients.js';

/**
 * The connection table with numeric addresses. `-n` matters: without it ipvsadm resolves every address and port
 * (a DNS query per entry). `--exact` is accepted with `-c` but changes nothing: print_conn has no counters to round.
 * ipvsadm reads /proc/net/ip_vs_conn and rewrites each line, so the output is as long as the table.
 */
export const IPVS_CONNS_ARGV = ['ipvsadm', '-L', '-n', '-c'] as const;

/** Run only where ip_vs is loaded, and never longer than the read's deadline allows. */
export const ipvsConnsSection = (timeoutSec: number): CommandSection => ({
  id: 'ipvs-conns',
  argv: IPVS_CONNS_ARGV,
  guard: ['test', '-e', '/proc/net/ip_vs'],
  timeoutSec,
});

export interface ConnReadOptions {
  /** Read at most this many lines (default 10,000,000); a longer output is truncated. */
  readonly maxLines?: number;
  /** Stop once `now()` passes this (ms). Checked every 1,024 lines and at every chunk. */
  readonly deadline?: number;
  readonly now?: () => number;
  /** Clients listed per real server (default 5, at most the summary's 16 slots). */
  readonly topClients?: number;
}

export interface GarbageLine {
  /** 1-based line number in the output. */
  readonly line: number;
  /** The line's first 200 characters. */
  readonly text: string;
  readonly reason: string;
}

/** What one read of the connection table counted. */
export interface ConnTableCounts {
  readonly groups: readonly ConnGroupCounts[];
  /** Entry lines counted: connections and templates. */
  readonly entries: number;
  /** Lines read, blank and header lines included. */
  readonly lines: number;
  /** The `IPVS connection entries` title was seen: without it the output is not ipvsadm's connection listing. */
  readonly header: boolean;
  /** Lines that are not entries; the first few are kept as samples. */
  readonly garbage: number;
  readonly garbageSamples: readonly GarbageLine[];
  /** Entries counted in `entries` but in no group: past the cap on distinct (service, real server) pairs. */
  readonly ungrouped: number;
  /** The read stopped early: the counts are of the first `lines` lines only. */
  readonly truncated: boolean;
  readonly truncatedBy?: 'deadline' | 'lines';
}

const DEFAULT_MAX_LINES = 10_000_000;
/** Distinct (service, real server) pairs kept: far more than any director serves, so garbage cannot grow memory. */
export const MAX_GROUPS = 4096;
/** Twice MAX_GROUPS, a power of two: the table is never more than half full. */
const TABLE_SIZE = 8192;
const MAX_SAMPLES = 5;
/** What ConnTableReader.group answers for a line past MAX_GROUPS, and for one whose new pair is not two addresses. */
const UNGROUPED = -1;
const NO_GROUP = -2;
const TITLE = 'IPVS connection entries';
const COLUMNS = 'pro expire';

/**
 * Counts `ipvsadm -L -n -c` as it streams: feed chunks as they arrive, then `end()`. Only the counts per
 * (service, real server) pair and the part of a line cut between chunks are held, never the table: a million entries
 * take the memory of a handful. `feed` answers false once the read has stopped (deadline or line cap): the caller
 * should stop reading and end the command. Never throws on odd input: lines that do not fit are counted as garbage.
 */
export class ConnTableReader {
  private readonly line = newConnLine();
  /** Open addressing by group hash: slot holds the group's index + 1 (0 free) and its hash. */
  private readonly slots = new Int32Array(TABLE_SIZE);
  private readonly hashes = new Int32Array(TABLE_SIZE);
  private readonly order: ConnGroup[] = [];
  /** Each group's protocol and canonical field numbers (ConnLine's virtualKey, destKey), by index in `order`. */
  private readonly groupProtocols = new Int32Array(MAX_GROUPS);
  private readonly virtualKeys = new Float64Array(MAX_GROUPS);
  private readonly destKeys = new Float64Array(MAX_GROUPS);
  private readonly tails = new TailCache();
  private readonly maxLines: number;
  private readonly deadline: number | undefined;
  private readonly now: () => number;
  private readonly topN: number;
  private carry: Buffer | undefined;
  private overlong = false;
  private lines = 0;
  private entries = 0;
  private ungrouped = 0;
  private header = false;
  private garbage = 0;
  private readonly samples: GarbageLine[] = [];
  private stoppedBy: 'deadline' | 'lines' | undefined;

  constructor(options: ConnReadOptions = {}) {
    this.maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
    this.deadline = options.deadline;
    this.now = options.now ?? Date.now;
    this.topN = Math.min(options.topClients ?? 5, SLOTS);
  }

  feed(chunk: string | Uint8Array): boolean {
    if (this.stoppedBy) return false;
    if (this.deadline !== undefined && this.now() > this.deadline) return this.stop('deadline');
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : asBuffer(chunk);
    let start = 0;
    if (this.carry) {
      const nl = b.indexOf(10);
      if (nl < 0) return this.keep(b, 0);
      const joined = Buffer.concat([this.carry, b.subarray(0, nl)]);
      this.carry = undefined;
      if (!this.take(joined, 0, joined.length)) return false;
      start = nl + 1;
    }
    for (let nl = b.indexOf(10, start); nl >= 0; nl = b.indexOf(10, start)) {
      if (!this.take(b, start, nl)) return false;
      start = nl + 1;
    }
    return this.keep(b, start);
  }

  end(): ConnTableCounts {
    if (!this.stoppedBy && this.carry) {
      const last = this.carry;
      this.carry = undefined;
      this.take(last, 0, last.length);
    }
    return {
      groups: this.order.map((g) => g.counts(this.topN)),
      entries: this.entries,
      lines: this.lines,
      header: this.header,
      garbage: this.garbage,
      garbageSamples: [...this.samples],
      ungrouped: this.ungrouped,
      truncated: this.stoppedBy !== undefined,
      ...(this.stoppedBy ? { truncatedBy: this.stoppedBy } : {}),
    };
  }

  /** Hold the unfinished line b[start..) for the next chunk (only its first MAX_LINE bytes: past that it is garbage). */
  private keep(b: Buffer, start: number): boolean {
    if (start >= b.length) return true;
    const have = this.carry?.length ?? 0;
    if (have + b.length - start > MAX_LINE) {
      this.overlong = true;
      if (have < MAX_LINE) this.carry = Buffer.concat([this.carry ?? Buffer.alloc(0), b.subarray(start, start + 200)]);
      return true;
    }
    this.carry = Buffer.concat([this.carry ?? Buffer.alloc(0), b.subarray(start)]);
    return true;
  }

  /** Count the line b[start..nl); false once the read has stopped. */
  private take(b: Buffer, start: number, nl: number): boolean {
    if (this.lines >= this.maxLines) return this.stop('lines');
    this.lines++;
    if (this.overlong) {
      this.overlong = false;
      this.fault(b, start, nl, `line longer than ${MAX_LINE} characters`);
    } else if (nl - start > MAX_LINE) this.fault(b, start, nl, `line longer than ${MAX_LINE} characters`);
    else this.entry(b, start, trimmedEnd(b, start, nl));
    if ((this.lines & 1023) === 0 && this.deadline !== undefined && this.now() > this.deadline)
      return this.stop('deadline');
    return true;
  }

  private entry(b: Buffer, start: number, end: number): void {
    if (end === start) return;
    const s = this.line;
    if (!readConnLine(b, start, end, s)) {
      if (b[start] === 73 /* I */ && end - start === TITLE.length && startsWith(b, start, TITLE)) this.header = true;
      else if (!(b[start] === 112 /* p */ && startsWith(b, start, COLUMNS))) this.fault(b, start, end, s.fault);
      return;
    }
    let g = this.tails.find(b, s.virtualStart, end, s.protocol);
    if (g < 0) {
      if (!readPairFields(b, end, s)) return this.fault(b, start, end, s.fault);
      g = this.group(b, s);
      if (g === NO_GROUP) return this.fault(b, start, end, s.fault);
      if (g >= 0) this.tails.add(b, s.virtualStart, end, s.protocol, g);
    }
    this.entries++;
    if (g >= 0) this.order[g]!.add(b, s);
    else this.ungrouped++;
  }

  /**
   * The index of the group of the line in s, made when new; UNGROUPED past MAX_GROUPS, NO_GROUP (with s.fault) when
   * the line's fields start a group but are not addresses.
   */
  private group(b: Buffer, s: ConnLine): number {
    const h = s.groupHash;
    const keyed = s.virtualKey >= 0 && s.destKey >= 0;
    let k = h & (TABLE_SIZE - 1);
    for (let at = this.slots[k]!; at !== 0; at = this.slots[k]!) {
      const g = at - 1;
      if (
        this.hashes[k] === h &&
        (keyed
          ? this.virtualKeys[g] === s.virtualKey &&
            this.destKeys[g] === s.destKey &&
            this.groupProtocols[g] === s.protocol
          : this.order[g]!.matches(b, s))
      )
        return g;
      k = (k + 1) & (TABLE_SIZE - 1);
    }
    if (!readGroupFields(b, s)) return NO_GROUP;
    if (this.order.length >= MAX_GROUPS) return UNGROUPED;
    const g = this.order.length;
    this.order.push(new ConnGroup(b, s));
    this.groupProtocols[g] = s.protocol;
    this.virtualKeys[g] = s.virtualKey;
    this.destKeys[g] = s.destKey;
    this.slots[k] = g + 1;
    this.hashes[k] = h;
    return g;
  }

  private fault(b: Buffer, start: number, end: number, reason: string): void {
    this.garbage++;
    if (this.samples.length < MAX_SAMPLES)
      this.samples.push({ line: this.lines, text: b.toString('latin1', start, Math.min(end, start + 200)), reason });
  }

  private stop(by: 'deadline' | 'lines'): false {
    this.stoppedBy = by;
    this.carry = undefined;
    return false;
  }
}

const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Count a whole `ipvsadm -L -n -c` output at once (a poll section's stdout, a fixture). */
export function countIpvsConns(text: string | Uint8Array, options?: ConnReadOptions): ConnTableCounts {
  const reader = new ConnTableReader(options);
  reader.feed(text);
  return reader.end();
}
