/**
 * A large `ipvsadm -L -n -c` output, written line by line in print_conn's own format
 * (`"%-3s %-6s %-11s %-18s %-18s %s\n"`, expiry `%02d:%02d`), with the mix a busy persistent service shows: mostly
 * ESTABLISHED and TIME_WAIT, some opening and closing states, a persistence template (ASSURED, client port 0) per
 * client and real server, a few UDP entries and IPv6 clients. Seeded, so every run writes the same text.
 */
import { createWriteStream } from 'node:fs';

export interface GeneratedTable {
  readonly entries: number;
  readonly bytes: number;
  readonly templates: number;
  readonly established: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const mmss = (sec: number) => `${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;
const line = (proto: string, expires: number, state: string, src: string, vip: string, dst: string) =>
  `${pad(proto, 3)} ${pad(mmss(expires), 6)} ${pad(state, 11)} ${pad(src, 18)} ${pad(vip, 18)} ${dst}\n`;

const TCP_STATES: readonly [string, number, number][] = [
  // state, share, longest expiry (the kernel's default timeouts)
  ['ESTABLISHED', 0.6, 900],
  ['TIME_WAIT', 0.25, 120],
  ['FIN_WAIT', 0.06, 120],
  ['SYN_RECV', 0.04, 60],
  ['CLOSE_WAIT', 0.05, 60],
];

/** Write `entries` lines (plus the two header lines) to `path`: `services` VIPs with `servers` real servers each. */
export async function writeConnTable(
  path: string,
  entries: number,
  services = 50,
  servers = 8,
  clients = 50_000,
): Promise<GeneratedTable> {
  const out = createWriteStream(path);
  const table = connTablePieces(entries, services, servers, clients);
  let bytes = 0;
  let next = table.next();
  for (; !next.done; next = table.next()) {
    bytes += next.value.length;
    if (!out.write(next.value)) await new Promise<void>((res) => out.once('drain', () => res()));
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return { ...next.value, bytes };
}

/** The same table as one string (for tests: a few hundred thousand entries at most). */
export function connTableText(
  entries: number,
  services = 50,
  servers = 8,
  clients = 50_000,
): GeneratedTable & { text: string } {
  const pieces: string[] = [];
  const table = connTablePieces(entries, services, servers, clients);
  let next = table.next();
  for (; !next.done; next = table.next()) pieces.push(next.value);
  const text = pieces.join('');
  return { ...next.value, bytes: text.length, text };
}

/** The table's text in pieces of about 64 KiB, the header lines first; returns what it holds. */
function* connTablePieces(
  entries: number,
  services: number,
  servers: number,
  clients: number,
): Generator<string, Omit<GeneratedTable, 'bytes'>> {
  const rand = mulberry32(20261202);
  const counts = { templates: 0, established: 0 };
  yield 'IPVS connection entries\n';
  yield `pro expire ${pad('state', 11)} ${pad('source', 18)} ${pad('virtual', 18)} destination\n`;
  let batch = '';
  for (let n = 0; n < entries; n++) {
    batch += entryLine(rand, services, servers, clients, counts);
    if (batch.length > 1 << 16) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
  return { entries, ...counts };
}

function entryLine(
  rand: () => number,
  services: number,
  servers: number,
  clients: number,
  counts: { templates: number; established: number },
): string {
  const svc = Math.floor(rand() * services);
  const vip = `172.16.${Math.floor(svc / 200)}.${(svc % 200) + 10}`;
  // Skewed clients: a few heavy ones, a long tail.
  const client = Math.floor(clients * rand() ** 3);
  const cip =
    client % 100 === 99
      ? `[2001:db8::${client.toString(16)}]`
      : `10.${client >> 16}.${(client >> 8) & 255}.${client & 255}`;
  const rs = `192.168.${60 + (svc % 100)}.${(client % servers) + 40}`;
  const r = rand();
  if (r < 0.05) {
    counts.templates++;
    return line('TCP', Math.floor(rand() * 50), 'ASSURED', `${cip}:0`, `${vip}:80`, `${rs}:80`);
  }
  if (r < 0.08)
    return line(
      'UDP',
      Math.floor(rand() * 300),
      'UDP',
      `${cip}:${1024 + Math.floor(rand() * 60000)}`,
      `${vip}:53`,
      `${rs}:53`,
    );
  let pick = rand();
  for (const [state, share, max] of TCP_STATES) {
    pick -= share;
    if (pick <= 0 || state === 'CLOSE_WAIT') {
      if (state === 'ESTABLISHED') counts.established++;
      return line(
        'TCP',
        Math.floor(rand() * max),
        state,
        `${cip}:${1024 + Math.floor(rand() * 60000)}`,
        `${vip}:80`,
        `${rs}:80`,
      );
    }
  }
  return '';
}
