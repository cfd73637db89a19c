import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { createLvsStore } from '../src/store/lvs-store.js';
import type { ClusterInfo } from '../src/store/store-types.js';
import { Header } from './Header.js';

const cluster = (name: string): ClusterInfo => ({
  name,
  mode: 'dr',
  directors: [`${name}-d1`, `${name}-d2`],
  realServers: [],
  vips: [],
  keepalived: {},
  dips: {},
  replication: [],
  nfs: [],
});

describe('Header', () => {
  it('keeps 150 clusters on one line at 80 columns, with the host counts and data age readable', () => {
    const clusters = Array.from({ length: 150 }, (_, i) => cluster(`c${i}`));
    const store = createLvsStore({
      clusters,
      hosts: clusters.flatMap((c) => c.directors),
      pollIntervalMs: 2000,
      readOnly: false,
    });
    const now = Date.parse('2026-11-22T05:00:00Z');
    for (const c of clusters.slice(0, 120)) for (const d of c.directors) store.getState().hostUp(d, now - 1000, 30);
    store.getState().hostDown('c0-d1', { kind: 'timeout', message: 'connect timed out' }, now);
    const { lastFrame, unmount } = render(
      <Header state={store.getState()} now={now} cluster="c75" view="services" width={80} />,
    );
    const [top, views] = lastFrame()!.split('\n');
    unmount();
    expect(lastFrame()!.split('\n')).toHaveLength(2);
    expect(top).toContain('239/300 up 60 connecting');
    expect(top).toMatch(/data \d/);
    expect(top).toContain(' c75 ');
    expect(top).toMatch(/‹\d+/);
    expect(top).toMatch(/\d+›/);
    // At 80 columns only the current view keeps its name.
    expect(views).toContain('2 Services');
    expect(views).not.toContain('Overview');
  });
});
