import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNotifyLog, type NotifyLine } from '../../collectors/keepalived-notify.js';
import {
  expectedTakeover,
  flapping,
  masterDownInterval,
  measuredTakeovers,
  skewTime,
  takeoverVerdict,
} from './takeover.js';

/**
 * Notify logs of the lab's DR pair (test/fixtures/failover, test/lab/capture-fixtures.sh; notify.sh appends
 * `$(date +%s) INSTANCE STATE`): director1 (priority 100) and director2 (90) start, director2 claims MASTER while
 * director1 still is, director1 takes MASTER back, then keepalived is stopped on director1 and director2 takes over.
 */
const log = (host: string): NotifyLine[] =>
  parseNotifyLog(
    readFileSync(
      resolve(import.meta.dirname, '../../test/fixtures/failover', host, 'keepalived-notify-log.txt'),
      'utf8',
    ),
  );
const logs = new Map([
  ['director1', log('director1')],
  ['director2', log('director2')],
]);
const lab = { advertIntSec: 1 };

describe('takeover timing', () => {
  it('computes skew and master-down times as keepalived does', () => {
    expect(skewTime(90, lab)).toBeCloseTo(166 / 256, 9);
    expect(masterDownInterval(90, lab)).toBeCloseTo(3 + 166 / 256, 9);
    // VRRPv2's skew ignores advert_int; VRRPv3's scales with it (keepalived counts it in centiseconds).
    expect(skewTime(90, { advertIntSec: 2 })).toBeCloseTo(166 / 256, 9);
    expect(skewTime(90, { advertIntSec: 2, version: 3 })).toBeCloseTo((166 * 2) / 256, 9);
    expect(masterDownInterval(100, { advertIntSec: 0.5, version: 3, downTimerAdverts: 5 })).toBeCloseTo(
      2.5 + (156 * 0.5) / 256,
      9,
    );
    expect(skewTime(255, lab)).toBeCloseTo(1 / 256, 9);
  });

  it('expects the highest-priority BACKUP to take over', () => {
    const peers = [
      { director: 'director1', priority: 100, state: 'MASTER' },
      { director: 'director2', priority: 90, state: 'BACKUP' },
    ];
    expect(expectedTakeover('VI_WEB', peers, lab)).toEqual({
      instance: 'VI_WEB',
      director: 'director2',
      priority: 90,
      onSilenceSec: 3 + 166 / 256,
      onReleaseSec: 166 / 256,
    });
    expect(expectedTakeover('VI_WEB', peers.slice(0, 1), lab)).toBeUndefined();
  });

  it('calls a new MASTER silent only once its predecessor had a handover window to log stepping down', () => {
    // The logs as read 2 s and then 6 s after director2's first MASTER line (1795288306), nothing later in them.
    const upTo = (sec: number) =>
      new Map([...logs].map(([d, lines]) => [d, lines.filter((l) => l.at <= sec)] as const));
    expect(measuredTakeovers(upTo(1795288308), 'VI_WEB', 1795288308)).toEqual([]);
    expect(measuredTakeovers(upTo(1795288308), 'VI_WEB', 1795288312)).toEqual([
      { instance: 'VI_WEB', from: 'director1', to: 'director2', masterAt: 1795288306, how: 'silent' },
    ]);
  });

  it('measures takeovers from the notify logs of both directors', () => {
    expect(measuredTakeovers(logs, 'VI_WEB')).toEqual([
      // director2 became MASTER while director1 said nothing of leaving: no time to measure.
      { instance: 'VI_WEB', from: 'director1', to: 'director2', masterAt: 1795288306, how: 'silent' },
      {
        instance: 'VI_WEB',
        from: 'director2',
        to: 'director1',
        leftAt: 1795288324,
        masterAt: 1795288324,
        seconds: 0,
        how: 'released',
        leftAs: 'BACKUP',
      },
      {
        instance: 'VI_WEB',
        from: 'director1',
        to: 'director2',
        leftAt: 1795288373,
        masterAt: 1795288374,
        seconds: 1,
        how: 'released',
        leftAs: 'STOP',
      },
    ]);
    expect(measuredTakeovers(logs, 'VI_OTHER')).toEqual([]);
  });

  it('tells a preemption (new MASTER first) and judges a takeover against the promise', () => {
    const preempt = new Map([
      [
        'a',
        [
          { at: 100, instance: 'VI', state: 'MASTER' },
          { at: 131, instance: 'VI', state: 'BACKUP' },
        ],
      ],
      ['b', [{ at: 130, instance: 'VI', state: 'MASTER' }]],
    ]);
    expect(measuredTakeovers(preempt, 'VI')).toMatchObject([{ from: 'a', to: 'b', how: 'preempted', seconds: 0 }]);
    const expected = expectedTakeover('VI_WEB', [{ director: 'director2', priority: 90 }], lab)!;
    const [, , stop] = measuredTakeovers(logs, 'VI_WEB');
    expect(takeoverVerdict(stop!, expected)).toEqual({ expectedSec: 166 / 256, slow: false });
    expect(takeoverVerdict({ ...stop!, seconds: 3 }, expected).slow).toBe(true);
  });

  it('calls 3 or more state changes in 10 minutes flapping', () => {
    const end = 1795288374;
    expect(flapping(logs, end + 1)).toEqual([
      { director: 'director1', instance: 'VI_WEB', transitions: 4, flapping: true },
      { director: 'director2', instance: 'VI_WEB', transitions: 3, flapping: true },
    ]);
    // Ten minutes after the stop (1795288373) only the last change of each is inside the window.
    expect(flapping(logs, end + 599).map((f) => [f.director, f.transitions, f.flapping])).toEqual([
      ['director1', 1, false],
      ['director2', 1, false],
    ]);
  });
});
