import {
  CHECKER_MARK,
  DATA_MARK,
  keepalivedSections,
  parseSignums,
  type KeepalivedSignums,
} from '../../collectors/keepalived-dump-script.js';
import { interpretKeepalived, type KeepalivedReading } from '../../collectors/keepalived.js';
import { every, KEEPALIVED_DATA_MS, type PollPart } from './poll-parts.js';

/** A partial reading (JSON only, no data dump) completed with the track files and checkers of the last full one. */
function withDataOf(reading: KeepalivedReading, prev: KeepalivedReading | undefined): KeepalivedReading {
  if (reading.status !== 'ok' || !reading.partial || prev?.status !== 'ok') return reading;
  const names = new Map(prev.instances.map((i) => [i.name, i.trackFiles]));
  const instances = reading.instances.map((i) => ({ ...i, trackFiles: names.get(i.name) ?? [] }));
  const checkers = prev.checkers ? { checkers: prev.checkers } : {};
  return { ...reading, instances, trackFiles: prev.trackFiles, ...checkers, partial: false };
}

/** A checker view stands this long after it was read while the checker process answers late. */
export const CHECKERS_KEPT_MS = 30_000;
/** What the dump script says on stderr of a dump that needed the long wait, and of a checker dump that did not come. */
const DUMP_SLOW = /^keepalived dump slow/m;
const CHECKER_LATE = /^keepalived checker dump late/m;
/** After a keepalived dump that needed the long wait, or a checker dump that came too late, polls wait long this long. */
export const KEEPALIVED_LONG_WAIT_MS = 60_000;

/**
 * How long a poll waits for keepalived's dumps: the short wait (1.55 s) while keepalived answers within it, the long
 * one (6.55 s) for a minute after a dump that came later than that or a checker dump that did not come at all (a
 * director short of CPU). A dump that did not come in the short wait is tried once with the long one: if it does not
 * come then either, keepalived is not answering (hung, not slow) and the polls go back to the short wait, so that a
 * hung keepalived does not hold every poll of its director for 6 s; the long wait is tried again a minute later.
 */
export class KeepalivedWait {
  private longUntil = 0;
  private tryLong = false;
  private noLongBefore = 0;

  long(now: number): boolean {
    return this.tryLong || now < this.longUntil;
  }

  /** What the dump script said: its exit code and stderr, the poll having waited long or not. */
  saw(exitCode: number | null | undefined, stderr: string, waitedLong: boolean, now: number): void {
    this.tryLong = false;
    if (DUMP_SLOW.test(stderr) || CHECKER_LATE.test(stderr)) this.longUntil = now + KEEPALIVED_LONG_WAIT_MS;
    else if (exitCode === 5 && waitedLong) {
      this.longUntil = 0;
      this.noLongBefore = now + KEEPALIVED_LONG_WAIT_MS;
    } else if (exitCode === 5 && now >= this.noLongBefore) this.tryLong = true;
  }
}

/** A director's keepalived: its JSON every poll, its data dump now and then. */
export function keepalivedPart(
  host: string,
  ka: { readonly pidFile: string; readonly notifyLog?: string | undefined },
): PollPart {
  let signums: KeepalivedSignums | undefined;
  // The data dump (track files) is big and slow to write: every KEEPALIVED_DATA_MS; the JSON every poll.
  const data = every(KEEPALIVED_DATA_MS);
  const wait = new KeepalivedWait();
  let waitedLong = false;
  let checkersAt = 0;
  return {
    id: 'keepalived',
    pane: 'keepalived',
    sections: () => {
      waitedLong = wait.long(Date.now());
      return keepalivedSections(ka.pidFile, ka.notifyLog, signums, !data.due(), waitedLong);
    },
    apply: (out, state, at) => {
      const o = out.get('keepalived');
      signums = parseSignums(o?.stderr ?? '') ?? signums;
      wait.saw(o?.exitCode, o?.stderr ?? '', waitedLong, Date.now());
      const prev = state.keepalived[host]?.reading;
      const read = interpretKeepalived(out);
      const dataCut = read.status === 'ok' && read.partial === true && !!o?.stdout.includes(DATA_MARK);
      let reading = withDataOf(read, prev);
      // The checker dump came late, or was read while being written (parseCheckerDump refuses it): late, not never,
      // so the last view stands while it is recent.
      const checkerCut = reading.status === 'ok' && !reading.checkers && !!o?.stdout.includes(CHECKER_MARK);
      const checkerLate = CHECKER_LATE.test(o?.stderr ?? '') || checkerCut;
      if (reading.status === 'ok' && reading.checkers) checkersAt = at;
      const keep = checkerLate && prev?.status === 'ok' && prev.checkers && at - checkersAt <= CHECKERS_KEPT_MS;
      if (keep && reading.status === 'ok' && !reading.checkers) reading = { ...reading, checkers: prev.checkers };
      state.setKeepalived(host, reading, at);
      // A dump without the data (cut: read while keepalived wrote it) or the checker view it should have had: the
      // next poll asks for the data dump again.
      if (reading.status !== 'ok' || checkerLate || dataCut) data.again();
    },
  };
}
