import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { storeFromCaptures } from '../test/support/fixture-store.js';
import { SYNC_NOW, syncPairCaptures, syncPairConfig } from '../test/support/sync-captures.js';
import { viewSpec } from '../src/render/view-spec.js';
import { Table } from './Table.js';

/** The VRRP view of the DR pair `ms` after its reads, drawn with a 1 s poll (stale after 2 s). */
function frame(ms: number): string[] {
  const store = storeFromCaptures(syncPairConfig, syncPairCaptures('live'), SYNC_NOW);
  const spec = viewSpec(store.getState(), 'vrrp', 'wordpress', SYNC_NOW + ms);
  const { lastFrame, unmount } = render(
    <Table
      spec={spec}
      rows={spec.rows}
      selectedId={undefined}
      offset={0}
      height={12}
      width={100}
      tagged={[]}
      staleAfterMs={2000}
    />,
  );
  const lines = (lastFrame() ?? '').split('\n');
  unmount();
  return lines.filter((l) => /director\d\s+(MASTER|BACKUP)\s+\w+ sync daemon/.test(l));
}

describe('stale marks of rows read now and then', () => {
  it('does not mark a sync row stale between its 10 s reads, and does once it is older than that', () => {
    const between = frame(8000);
    expect(between).toHaveLength(2);
    for (const line of between) expect(line).toMatch(/^\s+8s\s/);
    const late = frame(13_000);
    expect(late).toHaveLength(2);
    for (const line of late) expect(line).toMatch(/^\s+13s!\s/);
  });
});
