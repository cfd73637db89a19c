import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/poller/fleet.js';
import { realServerDetail } from '../../src/render/detail-model.js';
import { serviceRows } from '../../src/render/service-rows.js';
import type { ServerDrain } from '../../src/store/drain-slice.js';
import type { LvsState } from '../../src/store/lvs-store.js';
import { eventually, LAB_CONFIG, paced, sshLab } from '../support/lab.js';

// A drain followed from the connection table, caused for real: a persistent client (the NAT service has -p 30) holds
// connections and a template on real1, real1 is set to weight 0, and the console counts them down to "drained".
// Weights are put back in a finally.

const INTERVAL = 2000;
const NAT = 'nat-director';
const SERVICE = 'TCP 172.16.60.22:80';
const KEY = `${SERVICE}|192.168.60.99:80`;
const CONNS = 4;
// The client holds its connections until the test has seen the drain (a file on the client says so), at most this
// long on a quiet lab; scaled by the lab's pace in the test.
const HOLD_MAX_SEC = 300;
const RELEASE = `/tmp/lvstop-drain-release-${process.pid}`;
const QUIESCENT = 'net.ipv4.vs.expire_quiescent_template';
let fleet: Fleet;
const state = () => fleet.store.getState();
const until = async <T>(check: (s: LvsState) => T | undefined | false, timeoutMs: number) =>
  eventually(async () => check(state()) || undefined, await paced(timeoutMs), 200);
const setWeight = (rs: string, weight: number) =>
  sshLab(NAT, `ipvsadm -e -t 172.16.60.22:80 -r ${rs}:80 -m -w ${weight}`);
const real1Listed = (s: LvsState) => {
  const r = s.ipvs[NAT]?.reading;
  const rs =
    r?.status === 'ok'
      ? r.table.services.find((x) => x.key === SERVICE)?.realServers.find((x) => x.address === '192.168.60.99')
      : undefined;
  return rs ? rs.activeConns : 0;
};

/**
 * On the client: open `CONNS` connections through the VIP and keep each one's request unfinished: the request line,
 * then one header line every 20 s. busybox httpd gives a client 60 s for each line and answers 408 after that, which
 * would end the connections before a slow lab has read them. Hold them until the test releases them (a file on the
 * client) or `holdSec` passes, then reset them (SO_LINGER 0), so each leaves IPVS in CLOSE (10 s) rather than
 * TIME_WAIT (2 min).
 */
const clientScript = (holdSec: number) => `
import os, socket, struct, sys, time
held = [socket.create_connection(("172.16.60.22", 80), timeout=5) for _ in range(${CONNS})]
for s in held:
    s.sendall(b"GET / HTTP/1.0\\r\\n")
print("open", len(held), flush=True)
deadline = time.time() + ${holdSec}
nextLine = time.time() + 20
while not os.path.exists("${RELEASE}") and time.time() < deadline:
    if time.time() >= nextLine:
        for s in held:
            s.sendall(b"X-Lvstop-Hold: 1\\r\\n")
        nextLine += 20
    time.sleep(0.2)
os.path.exists("${RELEASE}") and os.unlink("${RELEASE}")
for s in held:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
print("reset", flush=True)
`;

beforeAll(async () => {
  fleet = createFleet(await loadConfig(LAB_CONFIG), { pollIntervalMs: INTERVAL });
  fleet.start();
  await until((s) => s.ipvs[NAT]?.reading.status === 'ok', 90_000);
});

afterAll(async () => {
  await fleet?.stop();
});

describe('a drain followed from the connection table', () => {
  it('persistent clients on real1: connections and template count down to a "drained" event, never under time', async () => {
    const seen: ServerDrain[] = [];
    const unsubscribe = fleet.store.subscribe((s, p) => {
      const d = s.drains[NAT]?.servers[KEY];
      if (d && d !== p.drains[NAT]?.servers[KEY]) seen.push(d);
    });
    let client: Promise<string> | undefined;
    let releasing: Promise<string> | undefined;
    const quiescentBefore = (await sshLab(NAT, `sysctl -n ${QUIESCENT}`)).trim();
    try {
      // The template goes to real1: the only server with weight while the client connects. A template the client
      // still holds from earlier traffic would send it to real2 even at weight 0: expire_quiescent_template drops it.
      await setWeight('192.168.60.40', 0);
      await sshLab(NAT, `sysctl -qw ${QUIESCENT}=1`);
      const holdSec = Math.round((await paced(HOLD_MAX_SEC * 1000)) / 1000);
      client = sshLab(
        'client',
        `rm -f ${RELEASE}; timeout ${holdSec + 30} python3 -c '${clientScript(holdSec)}'`,
        (holdSec + 60) * 1000,
      );
      await until((s) => real1Listed(s) >= CONNS, 30_000);
      await sshLab(NAT, `sysctl -qw ${QUIESCENT}=${quiescentBefore}`);
      await setWeight('192.168.60.40', 1);
      await setWeight('192.168.60.99', 0);
      const startedAt = Date.now();

      const draining = await until((s) => {
        const d = s.drains[NAT]?.servers[KEY];
        return d && d.state.active >= CONNS && d.state.templates >= 1 ? d : undefined;
      }, 30_000);
      console.log(
        `draining shown ${draining.state.at - startedAt} ms after weight 0: ${JSON.stringify(draining.state)}`,
      );
      const line = serviceRows(state(), 'discuz', Date.now()).rows.find((r) => r.id.endsWith(`${KEY}|drain`));
      expect(line?.cells[0]).toMatch(/^ {4}draining: \d+ active, (\d+ inactive, )?\d+ templates?, at most \d+m\d\ds$/);

      // The detail: the same drain, by state, and the client holding it.
      const detail = realServerDetail(state(), '192.168.60.99', Date.now()).connections.map((l) => l.text);
      expect(detail[0]).toMatch(/^ {2}nat-director TCP 172\.16\.60\.22:80: draining: /);
      expect(detail[1]).toMatch(/ESTABLISHED \d+.* · top clients 172\.16\.60\.\d+ ×\d+/);

      releasing = sshLab('client', `touch ${RELEASE}`);
      await releasing;
      expect(await client).toContain('reset');
      const event = await eventually(
        async () => state().events.find((e) => e.kind === 'rs-drained' && e.message.startsWith('192.168.60.99:80 ')),
        await paced(120_000),
        500,
      );
      expect(event.message).toBe(`192.168.60.99:80 drained on ${NAT} (${SERVICE}): no connections, no templates left`);
      const drainedRow = serviceRows(state(), 'discuz', Date.now()).rows.find((r) => r.id.endsWith(`${KEY}|drain`));
      expect(drainedRow?.cells[0]).toMatch(/^ {4}drained \d+s ago: no connections, no templates left$/);
    } finally {
      await sshLab(NAT, `sysctl -qw ${QUIESCENT}=${quiescentBefore}`);
      if (client && !releasing) await sshLab('client', `touch ${RELEASE}`).catch(() => '');
      unsubscribe();
      await setWeight('192.168.60.99', 1);
      await setWeight('192.168.60.40', 1);
      await client?.catch(() => '');
    }

    // Counted down: active and templates never rose, and reached zero.
    const reads = seen.filter((d) => d.state.complete);
    console.log(
      'reads:',
      reads
        .map((d) => `${d.state.active}a/${d.state.inactive}i/${d.state.templates}t ≤${d.state.atMostSec}s`)
        .join(' '),
    );
    for (let i = 1; i < reads.length; i++) {
      expect(reads[i]!.state.active).toBeLessThanOrEqual(reads[i - 1]!.state.active);
      expect(reads[i]!.state.templates).toBeLessThanOrEqual(reads[i - 1]!.state.templates);
    }
    const last = reads.at(-1)!;
    expect(last.state).toMatchObject({ active: 0, inactive: 0, templates: 0, drained: true });
    // The time shown is an upper bound: every read's "at most" reaches past the last read that still found entries
    // (what was truly left then), less one poll interval at most.
    const lastHolding = reads.filter((d) => !d.state.drained).at(-1)!;
    for (const d of reads.filter((x) => !x.state.drained))
      expect(d.state.at + d.state.atMostSec * 1000 + INTERVAL).toBeGreaterThanOrEqual(lastHolding.state.at);
  });
});
