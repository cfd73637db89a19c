import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionsInterest } from '../src/render/conn-rows.js';
import type { LvsStore } from '../src/store/lvs-store.js';
import { press, type Mounted } from '../test/support/app-harness.js';
import { watchedRead } from '../test/support/conn-reads.js';
import { capturedStore, NOW } from '../test/support/console-store.js';
import { eventually, waitForFrame } from '../test/support/frames.js';
import { App } from './App.js';
import { StoreContext } from './store-context.js';

let mounted: Mounted | undefined;
afterEach(() => mounted?.unmount());

/**
 * The console on a jump host's 80×24 terminal, wired as `lvstop -c` wires it: the view on screen sets the store's
 * `connectionsWatched`, which the directors' watchers read.
 */
function mountAt80x24(store: LvsStore, shown: [string, string][]): Mounted {
  const r = render(
    <StoreContext.Provider value={store}>
      <App
        onQuit={() => undefined}
        onRefresh={() => undefined}
        onTogglePause={() => undefined}
        onViewShown={(view, cluster) => {
          shown.push([view, cluster]);
          store.getState().setConnectionsWatched(connectionsInterest(view, cluster));
        }}
        now={() => NOW + 4000}
        initialView="vrrp"
      />
    </StoreContext.Provider>,
  );
  Object.defineProperty(r.stdout, 'columns', { value: 80 });
  Object.defineProperty(r.stdout, 'rows', { value: 24 });
  r.stdout.emit('resize');
  return Object.assign(r, { calls: [] });
}

const screenLines = (frame: string) => stripVTControlCharacters(frame).split('\n');

describe('the Connections view at 80×24', () => {
  it("asks for every server's counts while shown, fits the screen, and opens a server's breakdown", async () => {
    const store = capturedStore();
    const shown: [string, string][] = [];
    const r = (mounted = mountAt80x24(store, shown));
    await waitForFrame(r, /DIRECTOR\s+INSTANCE/);
    expect(store.getState().connectionsWatched).toEqual([]);

    await press(r, [['9', /REAL SERVER\s+W\s+ACT\s+INACT\s+TMPL\s+EXPIRY\s+TOP CLIENT/]]);
    await eventually(() => expect(store.getState().connectionsWatched).toEqual(['wordpress']));
    expect(shown.at(-1)).toEqual(['connections', 'wordpress']);
    await waitForFrame(r, /director director1 {2}connection table not read yet/);

    // What director1's watcher writes after its read of the captured table.
    watchedRead(store, 'director1', 'conns/live/director1.lnc.txt', NOW);
    const frame = await waitForFrame(r, /director director1 {2}read 4s ago: 49 entries/);
    expect(frame).toMatch(/ 9 Connections/);
    expect(frame).toMatch(/10\.18\.11\.21:80 +100 +0 +0 +0 +- -/);
    expect(frame).toMatch(/10\.18\.11\.22:80 +100 +4 +44 +1 +54s 10\.18\.11\.100 ×48/);
    const lines = screenLines(frame);
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(80);

    // director1, its service, 10.18.11.21, then 10.18.11.22.
    await press(r, ['j', 'j', 'j', ['return', /real server 10\.18\.11\.22/]]);
    const detail = r.lastFrame()!;
    expect(detail).toContain('director1, table read 4s ago:');
    expect(detail).toContain('TCP 10.18.11.40:80: 4 active, 44 inactive, 1 template (longest 54s left)');
    expect(detail).toContain('FIN_WAIT 44, ESTABLISHED 4, ASSURED 1 · top clients 10.18.11.100 ×48');
    // The view stays open behind its detail: still read.
    expect(store.getState().connectionsWatched).toEqual(['wordpress']);

    await press(r, [
      ['escape', /REAL SERVER\s+W/],
      ['2', /SERVICE \/ REAL SERVER/],
    ]);
    await eventually(() => expect(store.getState().connectionsWatched).toEqual([]));
    expect(shown.at(-1)).toEqual(['services', 'wordpress']);
  });

  it('follows the cluster shown', async () => {
    const store = capturedStore();
    const shown: [string, string][] = [];
    const r = (mounted = mountAt80x24(store, shown));
    await press(r, [['9', /REAL SERVER\s+W/]]);
    await eventually(() => expect(store.getState().connectionsWatched).toEqual(['wordpress']));
    await press(r, [['c', /^ {8}director director2 {2}no IPVS table/m]]);
    await eventually(() => expect(store.getState().connectionsWatched).toEqual(['second']));
    expect(shown.at(-1)).toEqual(['connections', 'second']);
  });
});
