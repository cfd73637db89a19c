import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpvsReading } from '../../collectors/ipvs-collector.js';
import { capturedStore, NOW } from '../../test/support/console-store.js';
import { fixture } from '../../test/support/fixture-store.js';
import { drainEvents } from '../model/drain-events.js';
import type { LvsStore } from '../store/lvs-store.js';
import type { LvsEvent } from '../store/store-types.js';
import type { ConnectionState, ExecOptions, ExecResult, Transport } from '../transport/transport.js';
import { DrainWatcher } from './drain-watcher.js';

/** director1's connection table as captured on the lab (test/fixtures/conns, test/lab/capture-conn-fixtures.sh). */
const LIVE = fixture('conns/live/director1.lnc.txt');
/** nat-director's, captured at the same moment: nothing in it goes toward director1's servers. */
const NOTHING_HERE = fixture('conns/live/nat-director.lnc.txt');
const DRAINING = 'TCP 10.18.11.40:80|10.18.11.22:80';
const IDLE = 'TCP 10.18.11.40:80|10.18.11.21:80';

/** Streams a captured `ipvsadm -L -n -c` to each read, at once or when the test releases it. */
class ConnTableTransport implements Transport {
  readonly host = 'director1';
  readonly state: ConnectionState = 'up';
  readonly lastError = undefined;
  readonly reads: { argv: readonly string[]; at: number }[] = [];
  output = LIVE;
  hold = false;
  readonly held: (() => void)[] = [];

  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    this.reads.push({ argv, at: Date.now() });
    const answer = (): ExecResult => {
      options.onStdout?.(Buffer.from(this.output));
      return { stdout: '', stderr: '', exitCode: 0, durationMs: 40 };
    };
    if (!this.hold) return Promise.resolve(answer());
    return new Promise((resolve) => this.held.push(() => resolve(answer())));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * director1's captured table with 10.18.11.22 set to weight 0, as a drain leaves it; `idle`: its connection counts
 * down to 0 as well, as the IPVS list shows them once the drain is over.
 */
function drainDirector1(store: LvsStore, idle = false): void {
  const reading = store.getState().ipvs.director1!.reading;
  if (reading.status !== 'ok') throw new Error('director1 has no table');
  const services = reading.table.services.map((s) => ({
    ...s,
    realServers: s.realServers.map((rs) =>
      rs.address !== '10.18.11.22' ? rs : { ...rs, weight: 0, ...(idle ? { activeConns: 0, inactiveConns: 0 } : {}) },
    ),
  }));
  const drained: IpvsReading = { ...reading, table: { ...reading.table, services } };
  store.getState().setIpvs('director1', drained, NOW);
}

let watcher: DrainWatcher | undefined;
let store: LvsStore;
let transport: ConnTableTransport;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(NOW);
  store = capturedStore();
  transport = new ConnTableTransport();
  // A 1 s poll: the table is read every 5 s at most.
  watcher = new DrainWatcher({ director: 'director1', transport, store, intervalMs: 1000 });
  watcher.start();
});
afterEach(async () => {
  await watcher?.stop();
  vi.useRealTimers();
});

const conns = () => store.getState().drains.director1?.conns;

describe("a director's connection table while a Connections view is open", () => {
  it('is not read while nothing drains and no view is open', async () => {
    await vi.advanceTimersByTimeAsync(30_000);
    expect(transport.reads).toEqual([]);
    expect(store.getState().drains.director1).toBeUndefined();
  });

  it('is read at once when the view opens, then every 5 s for every server; closing stops the reads', async () => {
    store.getState().setConnectionsWatched(['wordpress']);
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.reads.map((r) => r.argv)).toEqual([['timeout', '-s', 'KILL', '11', 'ipvsadm', '-L', '-n', '-c']]);
    expect(Object.keys(conns()!.servers).sort()).toEqual([IDLE, DRAINING]);
    expect(conns()!.servers[DRAINING]).toMatchObject({ active: 4, inactive: 44, templates: 1 });
    // Both servers are at weight 100: counted, never followed as drains.
    expect(store.getState().drains.director1?.servers).toEqual({});

    await vi.advanceTimersByTimeAsync(4999);
    expect(transport.reads).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.reads).toHaveLength(2);
    expect(conns()!.read.at).toBe(NOW + 5000);

    store.getState().setConnectionsWatched([]);
    expect(conns()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(transport.reads).toHaveLength(2);
  });

  it('keeps reads 5 s apart when the view is opened and closed quickly', async () => {
    store.getState().setConnectionsWatched(['wordpress']);
    await vi.advanceTimersByTimeAsync(1000);
    store.getState().setConnectionsWatched([]);
    store.getState().setConnectionsWatched(['wordpress']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.reads).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(transport.reads.map((r) => r.at - NOW)).toEqual([0, 5000]);
  });

  it('is not read for a view of another cluster, whose directors this is not', async () => {
    store.getState().setConnectionsWatched(['second']);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(transport.reads).toEqual([]);
  });

  it('drops the counts of a read the view was closed during', async () => {
    transport.hold = true;
    store.getState().setConnectionsWatched(['wordpress']);
    await vi.advanceTimersByTimeAsync(0);
    store.getState().setConnectionsWatched([]);
    transport.held.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().drains.director1?.read).toMatchObject({ ok: true, entries: 49 });
    expect(conns()).toBeUndefined();
  });

  it('follows a drain at weight 0 as before, and raises its event only, while every server is counted', async () => {
    const events: LvsEvent[] = [];
    store.subscribe((next, prev) => drainEvents(prev, next, (e) => events.push({ at: Date.now(), ...e })));
    drainDirector1(store);
    store.getState().setConnectionsWatched(['wordpress']);
    await vi.advanceTimersByTimeAsync(0);
    expect(Object.keys(store.getState().drains.director1!.servers)).toEqual([DRAINING]);
    expect(store.getState().drains.director1!.servers[DRAINING]).toMatchObject({ hadEntries: true, since: NOW });
    expect(Object.keys(conns()!.servers)).toHaveLength(2);

    transport.output = NOTHING_HERE;
    drainDirector1(store, true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(store.getState().drains.director1!.servers[DRAINING]?.drainedAt).toBe(NOW + 5000);
    expect(conns()!.servers[IDLE]).toMatchObject({ active: 0, inactive: 0, templates: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events.map((e) => e.message)).toEqual([
      '10.18.11.22:80 drained on director1 (TCP 10.18.11.40:80): no connections, no templates left',
    ]);

    // Closed: back to the drains alone, and a drained, idle server is not read again.
    store.getState().setConnectionsWatched([]);
    const reads = transport.reads.length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(transport.reads).toHaveLength(reads);
    expect(store.getState().drains.director1!.servers[DRAINING]?.drainedAt).toBe(NOW + 5000);
  });
});
