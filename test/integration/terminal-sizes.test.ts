import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_TITLES, VIEWS } from '../../src/render/views.js';
import { CLI, LAB_CONFIG, labPace } from '../support/lab.js';
import { TmuxScreen } from '../support/tmux.js';

/**
 * Every view at a jump host's 80×24 and on a big 200×60 terminal, against the lab: the header's host count, the
 * current view's name and the view's first column are readable, and help scrolls to its last line.
 */
const FIRST_COLUMN: Record<(typeof VIEWS)[number], string> = {
  overview: 'CLUSTER',
  services: 'SERVICE / REAL SERVER',
  vrrp: 'DIRECTOR',
  replication: 'PAIR',
  storage: 'HOST',
  hosts: 'HOST',
  events: 'TIME',
  audit: 'TIME',
  connections: 'REAL SERVER',
};

let screen: TmuxScreen | undefined;
beforeAll(async () => {
  TmuxScreen.pace = await labPace();
});
afterEach(() => screen?.kill());

describe.each([
  [80, 24],
  [200, 60],
])('the console at %i×%i', (cols, rows) => {
  it('keeps every view readable and scrolls help to its end', async () => {
    screen = new TmuxScreen(`sizes-${cols}`, `node ${CLI} -c ${LAB_CONFIG}`, cols, rows);
    await screen.waitFor((t) => /\d+\/\d+ up/.test(t) && /8\/8 up|data \d/.test(t), 90_000, 'the host count');
    for (const [i, view] of VIEWS.entries()) {
      screen.keys(String(i + 1));
      const s = await screen.waitFor(
        (t) => t.includes(`${i + 1} ${VIEW_TITLES[view]}`) && t.includes(FIRST_COLUMN[view]),
        15_000,
        `view ${view}`,
      );
      const lines = s.split('\n');
      expect(lines[0]).toMatch(/\d+\/\d+ up/);
      expect(lines[0]).toMatch(/data \S+/);
      screen.save(`sizes-${cols}x${rows}-${view}`);
    }
    screen.keys('?');
    await screen.waitFor((t) => /help 1-/.test(t), 10_000, 'help');
    screen.keys('G');
    const end = await screen.waitFor((t) => /grey \/ ! +stale/.test(t), 10_000, 'the last line of help');
    const [, last, total] = /help \d+-(\d+) of (\d+)/.exec(end) ?? [];
    expect(last).toBe(total);
    screen.keys('q');
  }, 240_000);
});
