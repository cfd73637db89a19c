import { MAX_LINE } from './field-ranges.js';
import { readCommonLine, readCommonPair } from './ipvs-conn-common.js';
import { ConnGroup, countEntry, type ConnGroupCounts } from './ipvs-conn-groups.js';
import { newConnLine, readConnLine, readGroupFields, readPairFields, type ConnLine } from './ipvs-conn-line.js';
import { ConnTally } from './ipvs-conn-tally.js';
import { PendingLine } from './ipvs-conn-pending.js';
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
  /** Every line by the general grammar, not the common-shape readers: the same counts, slower (tests compare them). */
  readonly generalOnly?: boolean;
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
 * Lines are read from the chunk's bytes where they lie, each with no allocation (see entry); counts go to ConnTally.
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
  private readonly tally = new ConnTally();
  private readonly generalOnly: boolean;
  private readonly maxLines: number;
  private readonly deadline: number | undefined;
  private readonly now: () => number;
  private readonly topN: number;
  private readonly pending = new PendingLine();
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
    this.generalOnly = options.generalOnly ?? false;
  }

  feed(chunk: string | Uint8Array): boolean {
    if (this.stoppedBy) return false;
    if (this.deadline !== undefined && this.now() > this.deadline) return this.stop('deadline');
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : asBuffer(chunk);
    let start = 0;
    if (this.pending.length > 0) {
      const nl = b.indexOf(10);
      this.pending.add(b, 0, nl < 0 ? b.length : nl);
      if (nl < 0) return true;
      if (!this.takePending()) return false;
      start = nl + 1;
    }
    start = this.takeLines(b, start);
    if (start < 0) return false;
    if (start < b.length) this.pending.add(b, start, b.length);
    return true;
  }

  /**
   * Count the whole lines of b from start: where the unfinished last one starts, or -1 once the read has stopped.
   * (A method of its own, not part of feed: V8 compiles this loop while it runs, before feed has reached the code
   * after it, and code compiled before it first ran would be thrown away and compiled again when it does.)
   */
  private takeLines(b: Buffer, start: number): number {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let nl = b.indexOf(10, start); nl >= 0; start = nl + 1, nl = b.indexOf(10, start))
      if (!this.take(b, v, start, nl)) return -1;
    return start;
  }

  end(): ConnTableCounts {
    if (!this.stoppedBy && this.pending.length > 0) this.takePending();
    return {
      groups: this.order.map((g, i) => this.tally.counts(i, g.head, this.topN)),
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

  /** Count the pending line, now whole (or the last, unended); false once the read has stopped. */
  private takePending(): boolean {
    const n = this.pending.take();
    return this.take(this.pending.bytes, this.pending.view, 0, n);
  }

  /** Count the line b[start..nl) (v a view of b); false once the read has stopped. */
  private take(b: Buffer, v: DataView, start: number, nl: number): boolean {
    const n = this.lines + 1;
    // The usual line: under the line cap, not a 1,024th line (those check the deadline), not too long.
    if (n <= this.maxLines && (n & 1023) !== 0 && nl - start <= MAX_LINE && !this.pending.overlong) {
      this.lines = n;
      // Entry lines end in the destination port's last digit: trimmedEnd only for lines that do not.
      const last = nl > start ? b[nl - 1]! : 0;
      this.entry(b, v, start, last >= 48 && last <= 57 ? nl : trimmedEnd(b, start, nl));
      return true;
    }
    return this.takeAtLimit(b, v, start, nl);
  }

  /** take() for a line at a limit: past the line cap, too long, or at a deadline check. */
  private takeAtLimit(b: Buffer, v: DataView, start: number, nl: number): boolean {
    if (this.lines >= this.maxLines) return this.stop('lines');
    this.lines++;
    if (this.pending.overlong) {
      this.pending.overlong = false;
      this.fault(b, start, nl, `line longer than ${MAX_LINE} characters`);
    } else if (nl - start > MAX_LINE) this.fault(b, start, nl, `line longer than ${MAX_LINE} characters`);
    else this.entry(b, v, start, trimmedEnd(b, start, nl));
    if ((this.lines & 1023) === 0 && this.deadline !== undefined && this.now() > this.deadline)
      return this.stop('deadline');
    return true;
  }

  /**
   * Count the line b[start..end) (end without trailing space). A line of the common shape is read by position
   * (readCommonLine), any other by the general grammar (readConnLine), both up to the virtual field; the rest of the
   * line, its pair, is looked up by its bytes (TailCache). Most lines end there: a pair seen before, a known state and
   * an IPv4 client, counted at once.
   */
  private entry(b: Buffer, v: DataView, start: number, end: number): void {
    const s = this.line;
    if (this.generalOnly || !readCommonLine(b, v, start, end, s)) {
      if (end === start) return;
      if (!readConnLine(b, start, end, s)) {
        if (b[start] === 73 /* I */ && end - start === TITLE.length && startsWith(b, start, TITLE)) this.header = true;
        else if (!(b[start] === 112 /* p */ && startsWith(b, start, COLUMNS))) this.fault(b, start, end, s.fault);
        return;
      }
    }
    const g = this.tails.find(v, s.virtualStart, end, s.protocol);
    if (g < 0 || s.state < 0 || s.client.ipv4 < 0) return this.pairEntry(b, v, start, end, g);
    this.entries++;
    if (s.client.port === 0) this.tally.template(g, s.state, s.expires);
    else this.tally.connection(g, s.state, s.expires, s.client.ipv4);
  }

  /**
   * Count the entry read into this.line whose pair is group g, or, when g < 0, is not known by its tail: then the pair
   * is read, checked, found or made a group, and its tail kept.
   */
  private pairEntry(b: Buffer, v: DataView, start: number, end: number, g: number): void {
    const s = this.line;
    if (g < 0) {
      // A pair of two canonical IPv4 fields is read and checked in one go; any other takes the general readers.
      const checked = !this.generalOnly && readCommonPair(b, end, s);
      if (!checked && !readPairFields(b, end, s)) return this.fault(b, start, end, s.fault);
      g = this.group(b, s, checked);
      if (g === NO_GROUP) return this.fault(b, start, end, s.fault);
      if (g >= 0) this.tails.add(v, s.virtualStart, end, s.protocol, g);
    }
    this.entries++;
    if (g >= 0) countEntry(this.tally, g, b, s);
    else this.ungrouped++;
  }

  /**
   * The index of the group of the line in s, made when new; UNGROUPED past MAX_GROUPS, NO_GROUP (with s.fault) when
   * the line's fields start a group but are not addresses. `checked`: s holds the fields' parts already.
   */
  private group(b: Buffer, s: ConnLine, checked: boolean): number {
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
    if (!checked && !readGroupFields(b, s)) return NO_GROUP;
    if (this.order.length >= MAX_GROUPS) return UNGROUPED;
    const g = this.order.length;
    this.order.push(new ConnGroup(b, s));
    this.tally.addGroup();
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
    this.pending.take();
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
