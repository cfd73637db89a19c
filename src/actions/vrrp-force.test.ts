import { describe, expect, it } from 'vitest';
import type { ActionError } from './action-error.js';
import {
  peerNotReadyReason,
  forceBackupWrites,
  forceMasterWrites,
  releaseWrites,
  takeoverPeer,
  trackFileWriteArgv,
  type VrrpSide,
} from './vrrp-force.js';

const files = (prio = 0, fault = 0) => ({
  priority: { path: '/etc/keepalived/lvstop_prio', value: prio },
  fault: { path: '/etc/keepalived/lvstop_fault', value: fault },
});
const side = (host: string, state: VrrpSide['state'], eff: number, extra: Partial<VrrpSide> = {}): VrrpSide => ({
  host,
  state,
  basePriority: eff,
  effectivePriority: eff,
  files: files(),
  holdsVip: state === 'MASTER',
  ...extra,
});
const d1 = side('director1', 'MASTER', 100);
const d2 = side('director2', 'BACKUP', 90);
const kind = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as ActionError).kind;
  }
  return 'no error';
};

describe('force BACKUP', () => {
  it('writes the delta that puts the director one below the peer', () => {
    const plan = forceBackupWrites('VI_WEB', d1, [d2]);
    expect(plan.writes).toEqual([
      { host: 'director1', kind: 'priority', path: '/etc/keepalived/lvstop_prio', before: 0, value: -11 },
    ]);
    expect(plan.expect).toEqual({ master: 'director2', states: { director1: 'BACKUP', director2: 'MASTER' } });
  });

  it('counts a delta already in the file', () => {
    const forced = side('director1', 'MASTER', 105, { basePriority: 100, files: files(5) });
    expect(forceBackupWrites('VI_WEB', forced, [d2]).writes[0]!.value).toBe(-11);
  });

  it('falls back to the fault file without a priority file', () => {
    const onlyFault = { ...d1, files: { fault: files().fault } };
    const plan = forceBackupWrites('VI_WEB', onlyFault, [d2]);
    expect(plan.writes).toEqual([
      { host: 'director1', kind: 'fault', path: '/etc/keepalived/lvstop_fault', before: 0, value: 1 },
    ]);
    expect(plan.expect.states).toEqual({ director1: 'FAULT', director2: 'MASTER' });
  });

  it('has nothing to do on a BACKUP and refuses without track files', () => {
    expect(kind(() => forceBackupWrites('VI_WEB', d2, [d1]))).toBe('nothing-to-do');
    expect(kind(() => forceBackupWrites('VI_WEB', { ...d1, files: {} }, [d2]))).toBe('refused');
  });
});

describe('force MASTER', () => {
  it('raises the director one above the peer, at most 254', () => {
    const plan = forceMasterWrites('VI_WEB', d2, [d1]);
    expect(plan.writes).toEqual([
      { host: 'director2', kind: 'priority', path: '/etc/keepalived/lvstop_prio', before: 0, value: 11 },
    ]);
    expect(plan.expect).toEqual({ master: 'director2', states: { director2: 'MASTER', director1: 'BACKUP' } });
  });

  it('lowers the peer when the director cannot go above it, and faults the peer when only fault files exist', () => {
    const top = side('director1', 'MASTER', 254);
    const low = side('director2', 'BACKUP', 90);
    expect(forceMasterWrites('VI_WEB', low, [top]).writes).toEqual([
      { host: 'director1', kind: 'priority', path: '/etc/keepalived/lvstop_prio', before: 0, value: -165 },
    ]);
    const faultOnly = (s: VrrpSide) => ({ ...s, files: { fault: files().fault } });
    const plan = forceMasterWrites('VI_WEB', faultOnly(d2), [faultOnly(d1)]);
    expect(plan.writes).toEqual([
      { host: 'director1', kind: 'fault', path: '/etc/keepalived/lvstop_fault', before: 0, value: 1 },
    ]);
    expect(plan.expect.states).toEqual({ director2: 'MASTER', director1: 'FAULT' });
  });

  it('refuses a director in FAULT or without keepalived', () => {
    expect(kind(() => forceMasterWrites('VI_WEB', side('director2', 'FAULT', 90, { files: files(0, 1) }), [d1]))).toBe(
      'refused',
    );
    expect(
      kind(() =>
        forceMasterWrites(
          'VI_WEB',
          { host: 'director2', problem: 'keepalived is not running', files: {}, holdsVip: false },
          [d1],
        ),
      ),
    ).toBe('refused');
    expect(kind(() => forceMasterWrites('VI_WEB', d1, [d2]))).toBe('nothing-to-do');
  });
});

describe('release', () => {
  it('writes 0 to the files holding something else and predicts the configured MASTER', () => {
    const forcedD1 = side('director1', 'BACKUP', 89, { basePriority: 100, files: files(-11) });
    const d2Master = side('director2', 'MASTER', 90);
    const plan = releaseWrites('VI_WEB', [forcedD1, d2Master]);
    expect(plan.writes).toEqual([
      { host: 'director1', kind: 'priority', path: '/etc/keepalived/lvstop_prio', before: -11, value: 0 },
    ]);
    expect(plan.expect).toEqual({ master: 'director1', states: { director1: 'MASTER', director2: 'BACKUP' } });
  });

  it('counts a director faulted by the console as a candidate again', () => {
    const faulted = side('director1', 'FAULT', 100, { files: files(0, 1) });
    expect(releaseWrites('VI_WEB', [faulted, side('director2', 'MASTER', 90)]).expect.master).toBe('director1');
  });

  it('has nothing to do when every file holds 0', () => {
    expect(kind(() => releaseWrites('VI_WEB', [d1, d2]))).toBe('nothing-to-do');
  });
});

describe('peer guard', () => {
  it('passes a healthy BACKUP and names what is wrong otherwise', () => {
    expect(peerNotReadyReason('VI_WEB', d2)).toBeUndefined();
    expect(peerNotReadyReason('VI_WEB', undefined)).toMatch(/no other director/);
    expect(
      peerNotReadyReason('VI_WEB', { host: 'director2', problem: 'unreachable (timeout)', files: {}, holdsVip: false }),
    ).toMatch(/director2 is not ready.*unreachable/);
    expect(peerNotReadyReason('VI_WEB', side('director2', 'FAULT', 90))).toMatch(/FAULT, not a healthy BACKUP/);
    expect(peerNotReadyReason('VI_WEB', { ...d2, files: files(0, 1) })).toMatch(/fault track file/);
  });

  it('picks the healthy BACKUP with the highest priority as the peer', () => {
    const down = { host: 'director3', problem: 'keepalived: not running', files: {}, holdsVip: false };
    expect(takeoverPeer([down, side('director4', 'BACKUP', 80), d2])!.host).toBe('director2');
  });
});

it('writes track files with value and path as arguments, never in the script', () => {
  expect(trackFileWriteArgv(-11, "/etc/keepalived/it's")).toEqual([
    'sh',
    '-c',
    'printf "%s\\n" "$1" > "$2"',
    'lvstop-write',
    '-11',
    "/etc/keepalived/it's",
  ]);
});
