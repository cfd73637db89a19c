import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScriptSection, SectionOutput } from '../../collectors/section.js';
import { fixture } from '../../test/support/fixture-store.js';
import { createLvsStore } from '../store/lvs-store.js';
import { CHECKERS_KEPT_MS, KEEPALIVED_LONG_WAIT_MS, KeepalivedWait, keepalivedPart } from './keepalived-part.js';

/**
 * How long a poll waits for keepalived's dumps, and what stands when the checker process answers late. The dumps are
 * the lab's captured ones; the stderr lines are what the dump script prints (test/unit/keepalived-dump.test.ts makes
 * a real keepalived print them).
 */
const SIGNUMS = 'signums 36 34\n';
const SLOW = `${SIGNUMS}keepalived dump slow: written after more than 1.55 s\n`;
const CHECKER_LATE = `${SIGNUMS}keepalived checker dump late: the checker process wrote none in time\n`;
const NO_DUMP = `${SIGNUMS}keepalived not answering: pid 310 wrote no dump within 1.55 s\n`;

const json = fixture('healthy/director1/keepalived-json.txt');
const data = fixture('healthy/director1/keepalived-data.txt');
const check = fixture('probes/healthy/director1.keepalived_check.data');
const full = (withChecker: boolean) =>
  [json, '@@keepalived-data', data, ...(withChecker ? ['@@keepalived-check', check] : [])].join('\n');

const out = (stdout: string, stderr: string, exitCode = 0) =>
  new Map<string, SectionOutput>([['keepalived', { id: 'keepalived', stdout, stderr, exitCode }]]);
const store = () => createLvsStore({ clusters: [], hosts: ['director1'], pollIntervalMs: 2000, readOnly: false });

describe('how long a poll waits for keepalived', () => {
  it('waits short while keepalived answers in time, long for a minute after a dump that came late', () => {
    const w = new KeepalivedWait();
    expect(w.long(0)).toBe(false);
    w.saw(0, SIGNUMS, false, 0);
    expect(w.long(1)).toBe(false);
    w.saw(0, SLOW, true, 1000);
    expect(w.long(1000 + KEEPALIVED_LONG_WAIT_MS - 1)).toBe(true);
    expect(w.long(1000 + KEEPALIVED_LONG_WAIT_MS)).toBe(false);
    w.saw(0, CHECKER_LATE, false, 100_000);
    expect(w.long(100_001)).toBe(true);
  });

  it('tries the long wait once after no dump; a keepalived that does not answer then either does not hold the polls', () => {
    const w = new KeepalivedWait();
    w.saw(5, NO_DUMP, false, 0);
    expect(w.long(2000)).toBe(true);
    // Slow, not hung: the long wait brought the dump, and the polls keep waiting long.
    w.saw(0, SLOW, true, 2000);
    expect(w.long(4000)).toBe(true);

    const hung = new KeepalivedWait();
    hung.saw(5, NO_DUMP, false, 0);
    hung.saw(5, NO_DUMP.replace('1.55', '6.55'), true, 8000);
    expect(hung.long(10_000)).toBe(false);
    hung.saw(5, NO_DUMP, false, 10_000);
    expect(hung.long(12_000)).toBe(false);
    // A minute after the long wait failed, it is tried again.
    hung.saw(5, NO_DUMP, false, 8000 + KEEPALIVED_LONG_WAIT_MS);
    expect(hung.long(8000 + KEEPALIVED_LONG_WAIT_MS + 2000)).toBe(true);
  });
});

describe("a director's keepalived part", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-12-02T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  const args = (part: ReturnType<typeof keepalivedPart>) => (part.sections()[0] as ScriptSection).args;

  /** A part that read a full dump (with or without checkers), at the poll that asks for the next data dump. */
  async function atSecondDataDump(checkers: boolean) {
    const s = store();
    const part = keepalivedPart('director1', { pidFile: '/run/keepalived.pid' });
    part.apply(out(full(checkers), SIGNUMS), s.getState(), Date.now());
    const first = s.getState().keepalived.director1?.reading;
    await vi.advanceTimersByTimeAsync(6000);
    expect(args(part)).toEqual(['/run/keepalived.pid', '36', '34', '', '']);
    return { s, part, first };
  }

  it('asks for the data dump again and waits long after a checker dump that came late, keeping the recent checker view', async () => {
    const s = store();
    const part = keepalivedPart('director1', { pidFile: '/run/keepalived.pid' });
    expect(args(part)).toEqual(['/run/keepalived.pid', '', '', '', '']);
    part.apply(out(full(true), SIGNUMS), s.getState(), Date.now());
    const first = s.getState().keepalived.director1?.reading;
    expect(first?.status === 'ok' && first.checkers?.virtualServers.length).toBeGreaterThan(0);

    await vi.advanceTimersByTimeAsync(2000);
    // JSON only between data dumps, with the signal numbers learnt.
    expect(args(part)).toEqual(['/run/keepalived.pid', '36', '34', 'json', '']);
    await vi.advanceTimersByTimeAsync(4000);
    expect(args(part)).toEqual(['/run/keepalived.pid', '36', '34', '', '']);
    part.apply(out(full(false), CHECKER_LATE), s.getState(), Date.now());
    const late = s.getState().keepalived.director1?.reading;
    expect(late?.status === 'ok' && late.checkers).toEqual(first?.status === 'ok' && first.checkers);

    // The next poll asks for the data dump again, and waits long.
    await vi.advanceTimersByTimeAsync(2000);
    expect(args(part)).toEqual(['/run/keepalived.pid', '36', '34', '', 'long']);
  });

  it('keeps the recent checker view and asks for the data dump again after a checker dump read while being written', async () => {
    const { s, part, first } = await atSecondDataDump(true);
    // Cut inside web2's block, before its `alive` line: read as it stands, web2 would be "not alive".
    const cut = full(true).slice(0, full(true).lastIndexOf('alive = 1'));
    part.apply(out(cut, SIGNUMS), s.getState(), Date.now());
    const after = s.getState().keepalived.director1?.reading;
    expect(after?.status === 'ok' && after.checkers).toEqual(first?.status === 'ok' && first.checkers);
    // The next poll asks for the data dump again (between data dumps it would ask for the JSON only).
    await vi.advanceTimersByTimeAsync(2000);
    expect(args(part)).toEqual(['/run/keepalived.pid', '36', '34', '', '']);
  });

  it('keeps the last track files and asks for the data dump again after one read while keepalived wrote it', async () => {
    const { s, part, first } = await atSecondDataDump(false);
    const cutData = data.slice(0, data.indexOf('Status', data.indexOf('Track file = lvstop_fault')));
    part.apply(out([json, '@@keepalived-data', cutData].join('\n'), SIGNUMS), s.getState(), Date.now());
    const after = s.getState().keepalived.director1?.reading;
    expect(after?.status).toBe('ok');
    expect(after?.status === 'ok' && after.trackFiles).toEqual(first?.status === 'ok' && first.trackFiles);
    await vi.advanceTimersByTimeAsync(2000);
    expect(args(part)).toEqual(['/run/keepalived.pid', '36', '34', '', '']);
  });

  it('lets a checker view go once it is older than CHECKERS_KEPT_MS', async () => {
    const s = store();
    const part = keepalivedPart('director1', { pidFile: '/run/keepalived.pid' });
    part.apply(out(full(true), SIGNUMS), s.getState(), Date.now());
    await vi.advanceTimersByTimeAsync(CHECKERS_KEPT_MS + 2000);
    part.sections();
    part.apply(out(full(false), CHECKER_LATE), s.getState(), Date.now());
    const r = s.getState().keepalived.director1?.reading;
    expect(r?.status).toBe('ok');
    expect(r?.status === 'ok' && r.checkers).toBeUndefined();
  });
});
