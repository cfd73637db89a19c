import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeldTransport } from '../../test/support/held-transport.js';
import { parseConfigText } from '../config/load-config.js';
import { createLvsStore } from '../store/lvs-store.js';
import { clusterInfos, planHost } from './host-plan.js';
import { HostPoller } from './host-poller.js';

/** A replication source on this machine: its heartbeat file in a temporary tree, a dry run toward no daemon. */
function setup(dir: string) {
  const config = parseConfigText(
    JSON.stringify({
      hosts: { src: {}, dst: {}, d: {} },
      clusters: [
        {
          name: 'c',
          mode: 'nat',
          directors: [{ host: 'd' }],
          replication: [
            {
              name: 'web',
              source: { host: 'src', path: dir },
              replica: { host: 'dst', path: '/web' },
              heartbeatFile: '.hb',
              rsyncTarget: '127.0.0.1::none',
            },
          ],
        },
      ],
    }),
    'test.json',
  );
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: ['src'],
    pollIntervalMs: 1000,
    readOnly: false,
  });
  const transport = new HeldTransport('src');
  const plan = planHost(config, 'src');
  const poller = new HostPoller({ host: 'src', transport, plan, store, intervalMs: 1000, commandTimeoutMs: 20_000 });
  return { store, transport, poller, config };
}

describe('replication parts', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvstop-repl-'));
    writeFileSync(join(dir, '.hb'), '1764000000.25\n');
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the heartbeat without waiting for the rsync dry run, which runs last and is late only after three intervals', async () => {
    const { store, transport, poller, config } = setup(dir);
    const ids = planHost(config, 'src')
      .sections()
      .map((x) => x.id);
    expect(ids.at(-1)).toBe('rsync-dry-c_web');
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    // Everything up to the dry run arrives; the dry run holds the poll (a busy source, a slow daemon).
    transport.releaseUntil(ids.at(-2)!);
    await vi.advanceTimersByTimeAsync(0);
    const readAt = Date.now();
    expect(store.getState().replication['c/web']?.source).toEqual({ heartbeat: 1764000000.25, readAt });
    await vi.advanceTimersByTimeAsync(2999);
    const parts = store.getState().hosts.src!.parts!;
    expect(parts['replication:c/web:source']).toEqual({ pane: 'replication', readAt });
    expect(parts['replication:c/web:source:rsync']?.lateSince).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(store.getState().hosts.src!.parts!['replication:c/web:source:rsync']).toEqual({
      pane: 'replication',
      lateSince: readAt + 3000,
    });
    // The dry run ends (no daemon there): its error stands beside the heartbeat, whose read time it leaves alone.
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    const source = store.getState().replication['c/web']?.source;
    expect(source).toMatchObject({ heartbeat: 1764000000.25, readAt });
    expect(source?.rsyncError).toBeTruthy();
    // The next polls, without a dry run, keep its result.
    while (transport.pending.length === 0) await vi.advanceTimersByTimeAsync(100);
    transport.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().replication['c/web']?.source?.rsyncError).toBe(source?.rsyncError);
    expect(store.getState().replication['c/web']?.source?.readAt).toBe(Date.now());
    await poller.stop();
  });
});
