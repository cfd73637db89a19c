import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI } from '../support/lab.js';
import { recordIncident } from '../support/recorded-incident.js';
import { HAVE_TMUX, TmuxScreen } from '../support/tmux.js';

/**
 * `lvstop replay` on a recording of captured states with a split brain (two MASTERs for VRID 51): the next-alert key
 * goes to it and the VRRP view shows both directors MASTER, at the recorded time, marked REPLAY.
 */
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-replay-tmux-'));
  await recordIncident(join(dir, 'rec'));
  vi.useRealTimers();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CLI) || !HAVE_TMUX)('replay in a terminal', () => {
  it('next alert jumps to the split brain and the VRRP view shows it', async () => {
    const screen = new TmuxScreen('replay', `node ${CLI} replay ${join(dir, 'rec')}`, 140, 30);
    try {
      // The recording opens at its start, 03:14:00 UTC, healthy: one MASTER.
      let s = await screen.waitFor((x) => x.includes('REPLAY') && x.includes('03:14:00'), 20_000, 'the replay');
      expect(s).not.toMatch(/split/i);
      screen.keys('3');
      s = await screen.waitFor((x) => /FAULT/.test(x), 10_000, 'the VRRP view, director2 FAULT');
      screen.type('}');
      s = await screen.waitFor(
        (x) => /split/i.test(x) && (x.match(/MASTER/g) ?? []).length >= 2,
        10_000,
        'the split brain: two MASTERs',
      );
      // The header shows the recorded time of the split brain (poll 10: 19 s in), never the wall clock.
      expect(s).toMatch(/03:14:19/);
      // Never the wall clock (unless the wall clock happens to read the recorded minute).
      const wall = new Date().toISOString().slice(11, 16);
      if (wall !== '03:14') expect(s).not.toContain(wall);
      // An action key says why it does nothing.
      screen.type('w');
      await screen.waitFor((x) => x.includes('replay: read-only recording'), 10_000, 'the read-only note');
      screen.type('q');
      await screen.waitFor(() => !screen.alive(), 10_000, 'the console to quit');
    } finally {
      screen.kill();
    }
  });

  it('replay --at --json prints the snapshot with recordedAt; a bad file exits 2', () => {
    const out = execFileSync('node', [CLI, 'replay', join(dir, 'rec'), '--at', '03:14:25', '--json'], {
      encoding: 'utf8',
    });
    const snap = JSON.parse(out) as { recordedAt: string; clusters: { alerts: { kind: string }[] }[] };
    expect(snap.recordedAt).toBe('2026-11-22T03:14:25.000Z');
    expect(snap.clusters[0]!.alerts).toMatchObject([{ kind: 'split-brain' }]);
    let code = 0;
    try {
      execFileSync('node', [CLI, 'replay', CLI], { stdio: 'pipe' });
    } catch (err) {
      code = (err as { status: number }).status;
    }
    expect(code).toBe(2);
  });
});
