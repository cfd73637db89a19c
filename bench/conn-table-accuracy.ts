/**
 * How right the reader's top clients are on the bench's table: each (service, real server) pair's clients counted
 * exactly (a Map per pair, the whole file split into lines: for the bench only, never the console), beside what the
 * reader lists. Heaviest first: the client listed first is one with the most connections. Bounds: each listed
 * client's true count lies in [count - error, count].
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ConnTableReader } from '../collectors/ipvs-conns.js';

export interface TopClientsAccuracy {
  readonly groups: number;
  readonly heaviestFirst: number;
  readonly listed: number;
  readonly boundsHeld: number;
  /** Mean of `error` over the clients listed: how much of a listed count may be other clients'. */
  readonly meanError: number;
}

/**
 * Connections per client per `PROTOCOL VIRTUAL DESTINATION` of `ipvsadm -Lnc` lines of the common shape, counted the
 * plain way (a Map per pair); templates (client port 0) are left out.
 */
export async function exactClientCounts(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  for await (const line of lines) {
    const f = line.trim().split(/ +/);
    if (f.length !== 6 || (f[0] !== 'TCP' && f[0] !== 'UDP')) continue;
    const colon = f[3]!.lastIndexOf(':');
    if (f[3]!.slice(colon + 1) === '0') continue;
    const key = `${f[0]} ${f[4]} ${f[5]}`;
    const counts = out.get(key) ?? new Map<string, number>();
    const client = f[3]!.slice(0, colon).replace(/^\[|\]$/g, '');
    out.set(key, counts.set(client, (counts.get(client) ?? 0) + 1));
  }
  return out;
}

export async function topClientsAccuracy(path: string, topClients = 5): Promise<TopClientsAccuracy> {
  const reader = new ConnTableReader({ topClients });
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) reader.feed(chunk as Buffer);
  const read = reader.end();
  const exact = await exactClientCounts(
    createInterface({ input: createReadStream(path, 'latin1'), crlfDelay: Infinity }),
  );
  let heaviestFirst = 0;
  let listed = 0;
  let boundsHeld = 0;
  let errors = 0;
  for (const g of read.groups) {
    const address = (a: string) => (a.includes(':') ? `[${a}]` : a);
    const counts = exact.get(`${g.protocol} ${address(g.virtualAddress)}:${g.virtualPort} ${g.serverKey}`);
    if (!counts || g.topClients.length === 0) continue;
    const most = Math.max(...counts.values());
    if (counts.get(g.topClients[0]!.address) === most) heaviestFirst++;
    for (const c of g.topClients) {
      const truth = counts.get(c.address) ?? 0;
      listed++;
      errors += c.error;
      if (truth >= c.count - c.error && truth <= c.count) boundsHeld++;
    }
  }
  const groups = read.groups.length;
  return { groups, heaviestFirst, listed, boundsHeld, meanError: Math.round((errors / listed) * 10) / 10 };
}
