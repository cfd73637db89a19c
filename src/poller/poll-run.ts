import { randomBytes } from 'node:crypto';
import { debugLog, debugLogOn } from '../debug-log.js';
import { StringDecoder } from 'node:string_decoder';
import type { Section, SectionOutput } from '../../collectors/section.js';
import type { LvsStore } from '../store/lvs-store.js';
import { keptSections, sectionPoll, SectionStream, type SectionPoll } from '../transport/section-script.js';
import type { ExecResult } from '../transport/transport.js';
import type { HostPlan, PollPart } from './host-plan.js';

const ref = (part: PollPart) => ({ id: part.id, pane: part.pane });

/**
 * One poll of one host: the script it runs, the sections streamed back, the parts still waiting for theirs, and how
 * each step of progress lands in the store.
 */
export class PollRun {
  /** The poll as a shell function (defined once per shell) and the call that runs it with this poll's nonce. */
  readonly poll: SectionPoll;
  readonly call: string;
  private readonly stream: SectionStream;
  private readonly decoder = new StringDecoder('utf8');
  /** Parts still waiting for some of their sections. */
  private readonly pending: Map<PollPart, readonly Section[]>;
  private streamed = false;
  /** The host was marked as having answered this poll. */
  private answered = false;

  constructor(
    private readonly host: string,
    private readonly store: LvsStore,
    plan: HostPlan,
    private readonly started: number,
    private readonly now: () => number,
    kept: Map<string, SectionOutput>,
  ) {
    const nonce = randomBytes(6).toString('hex');
    // Each part's sections are asked for once per poll: a part may decide per poll what it runs.
    this.pending = new Map(plan.parts.map((part) => [part, part.sections()] as const));
    const sections = [...this.pending.values()].flat();
    const keep = keptSections(sections, kept);
    this.poll = sectionPoll(sections, { cached: new Set(kept.keys()) });
    this.call = this.poll.call(nonce);
    this.stream = new SectionStream(nonce, undefined, keep);
  }

  /** The whole poll as one script, for a transport with no long-lived shell. */
  get script(): string {
    return `${this.poll.definition}\n${this.call}`;
  }

  /** Sections received so far. */
  get sectionCount(): number {
    return this.stream.sections.size;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  onStdout(chunk: Buffer): void {
    this.streamed = true;
    this.stream.push(this.decoder.write(chunk));
    this.applyReady();
  }

  /** The command ended: a transport that does not stream hands over stdout now. */
  ended(result: ExecResult): void {
    if (!this.streamed) this.stream.push(result.stdout);
  }

  /**
   * Apply every part whose sections have all arrived, with one progress update for the lot. When that was the last
   * part the host has answered the poll, in the same update: a poll whose output arrives at once is one write.
   */
  applyReady(): void {
    const done = this.stream.sections;
    const ready = [...this.pending].filter(([, sections]) => sections.every((x) => done.has(x.id)));
    if (ready.length === 0) return;
    const at = this.now();
    // When each part came, into the poll: which part holds a slow host's poll (built only when the log is on: this
    // runs for every chunk of every host's poll).
    if (debugLogOn())
      debugLog('poll-parts', { host: this.host, ms: at - this.started, parts: ready.map(([p]) => p.id).join(',') });
    const state = this.store.getState();
    state.batch(() => {
      for (const [part] of ready) {
        this.pending.delete(part);
        part.apply(done, state, at);
      }
      state.pollProgress(this.host, { read: ready.map(([part]) => ref(part)) }, at);
      if (this.pending.size === 0) {
        state.hostUp(this.host, at, at - this.started);
        this.answered = true;
      }
    });
  }

  /**
   * The poll has run `intervals` intervals: a part still missing whose allowance that is (one interval unless it
   * says otherwise) marks its pane stale, the rest of the host staying fresh; but not while its data is younger than
   * one interval more. The last poll may have delivered it late in its own interval: its data then still has that
   * much age to go before it is older than a poll's allowance lets it be (a part never read is late at once).
   * Returns when the first of the others will be late (ms since epoch), or undefined when none is left.
   */
  markLate(intervals: number, intervalMs: number): number | undefined {
    const now = this.now();
    const parts = this.store.getState().hosts[this.host]?.parts;
    const late: PollPart[] = [];
    let next: number | undefined;
    for (const part of this.pending.keys()) {
      if ((part.lateAfterIntervals ?? 1) !== intervals) continue;
      const readAt = parts?.[part.id]?.readAt;
      const due = readAt === undefined ? now : readAt + (intervals + 1) * intervalMs;
      if (due <= now) late.push(part);
      else next = Math.min(next ?? due, due);
    }
    if (late.length > 0) this.store.getState().pollProgress(this.host, { late: late.map(ref) }, now);
    return next;
  }

  /** The parts still pending will not come, for `reason`. */
  failPending(reason: string, at: number): void {
    this.store
      .getState()
      .pollProgress(this.host, { failed: [...this.pending.keys()].map((p) => ({ ...ref(p), reason })) }, at);
  }

  /** The poll ended with sections: apply what is ready, fail what is missing, and mark the host as having answered. */
  settle(exitCode: number | null, readAt: number): void {
    if (this.answered) return;
    const state = this.store.getState();
    state.batch(() => {
      this.applyReady();
      if (this.pending.size > 0) this.failPending(`poll ended without this part (exit code ${exitCode})`, readAt);
      if (!this.answered) state.hostUp(this.host, readAt, readAt - this.started);
    });
  }
}
