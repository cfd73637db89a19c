import { isIPv4 } from 'node:net';
import { MAX_FIELDS, MAX_LINE, decimalUint } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

/**
 * Owner and mode of every exported directory, from the server's own view: the export paths of etab (else
 * /etc/exports), one `stat` for all of them. Local directories only, so no timeout is needed beyond the poll's.
 */
const EXPORT_OWNERS_SCRIPT = `for f in /var/lib/nfs/etab /etc/exports; do
  [ -r "$f" ] || continue
  while read -r p r; do
    case $p in /*) ;; *) continue ;; esac
    case " $seen " in *" $p "*) continue ;; esac
    seen="$seen $p"
    set -- "$@" "$p"
  done <"$f"
  [ $# -eq 0 ] || break
done
[ $# -eq 0 ] || exec stat -c '%u %g %a %n' -- "$@"`;

/** Read on a host that is the NFS server of a configured mount: the effective and the configured exports, and owners. */
export const NFS_EXPORT_SECTIONS: readonly Section[] = [
  { id: 'nfs-etab', file: '/var/lib/nfs/etab' },
  { id: 'nfs-kernel-exports', file: '/proc/fs/nfsd/exports' },
  { id: 'etc-exports', file: '/etc/exports' },
  { id: 'nfs-export-owners', script: EXPORT_OWNERS_SCRIPT, args: [] },
];

export interface ExportClient {
  /** `10.18.11.0/24`, `*`, a host name; empty for an export line with options and no client. */
  readonly client: string;
  readonly options: readonly string[];
}

export interface ExportEntry {
  readonly path: string;
  readonly clients: readonly ExportClient[];
}

const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * Parse exports(5) text: /etc/exports, /var/lib/nfs/etab and /proc/fs/nfsd/exports share its shape,
 * `path client(opt,opt) client2(opt)`. Comments and continuation backslashes are handled; a line that is not an
 * absolute path is skipped, as exportfs would refuse it.
 */
export function parseExports(text: string): ExportEntry[] {
  const out = new Map<string, ExportClient[]>();
  const joined = text.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    if (raw.length > MAX_LINE) continue;
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = /^("([^"]*)"|\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const path = unescape(m[2] ?? m[1]!);
    if (!path.startsWith('/')) continue;
    const clients = out.get(path) ?? [];
    for (const spec of m[3]!.split(/\s+/, MAX_FIELDS)) {
      if (!spec) continue;
      const c = /^([^(]*)(?:\(([^)]*)\))?$/.exec(spec);
      if (c) clients.push({ client: c[1]!, options: c[2] ? c[2].split(',', MAX_FIELDS) : [] });
    }
    out.set(path, clients);
  }
  return [...out].map(([path, clients]) => ({ path, clients }));
}

export interface ExportOwner {
  readonly uid: number;
  readonly gid: number;
  readonly mode: string;
}

/** Parse `stat -c '%u %g %a %n'` lines; lines that do not fit are skipped. */
export function parseExportOwners(text: string): Record<string, ExportOwner> {
  const out: Record<string, ExportOwner> = {};
  for (const line of text.split('\n')) {
    if (line.length > MAX_LINE) continue;
    const m = /^(\d{1,10}) (\d{1,10}) ([0-7]{3,4}) (\/.*)$/.exec(line);
    if (m) out[m[4]!] = { uid: decimalUint(m[1]!, 10)!, gid: decimalUint(m[2]!, 10)!, mode: m[3]! };
  }
  return out;
}

export interface NfsExportsReading {
  /** Which file the entries come from: the effective list (etab, the kernel's) before the configured one. */
  readonly source: '/var/lib/nfs/etab' | '/proc/fs/nfsd/exports' | '/etc/exports';
  readonly entries: readonly ExportEntry[];
  /** Per export path. */
  readonly owners: Readonly<Record<string, ExportOwner>>;
}

export function interpretNfsExports(sections: ReadonlyMap<string, SectionOutput>): ParseResult<NfsExportsReading> {
  const owners = sections.get('nfs-export-owners');
  const ownerMap = parseExportOwners(owners?.stdout ?? '');
  for (const [id, source] of [
    ['nfs-etab', '/var/lib/nfs/etab'],
    ['nfs-kernel-exports', '/proc/fs/nfsd/exports'],
    ['etc-exports', '/etc/exports'],
  ] as const) {
    const s = sections.get(id);
    const entries = s?.exitCode === 0 ? parseExports(s.stdout) : [];
    if (entries.length > 0) return ok({ source, entries, owners: ownerMap });
  }
  return parseError('no exports: /var/lib/nfs/etab, /proc/fs/nfsd/exports and /etc/exports list none');
}

export interface ExportOptions {
  readonly squash: 'root_squash' | 'no_root_squash' | 'all_squash';
  readonly anonuid: number;
  readonly anongid: number;
  readonly readOnly: boolean;
}

/** Squash options as exports(5) defines them: root_squash unless no_root_squash or all_squash; anon ids 65534. */
export function exportOptions(options: readonly string[]): ExportOptions {
  const has = (o: string) => options.includes(o);
  const num = (k: string) => {
    const v = options.find((o) => o.startsWith(`${k}=`));
    const n = v === undefined ? undefined : decimalUint(v.slice(k.length + 1), 10);
    return n ?? 65534;
  };
  // Later options win in exports(5) (etab repeats some): the last of each pair decides.
  const last = (a: string, b: string) => options.lastIndexOf(a) > options.lastIndexOf(b);
  return {
    squash:
      has('all_squash') && last('all_squash', 'no_all_squash')
        ? 'all_squash'
        : has('no_root_squash') && last('no_root_squash', 'root_squash')
          ? 'no_root_squash'
          : 'root_squash',
    anonuid: num('anonuid'),
    anongid: num('anongid'),
    readOnly: has('ro') && last('ro', 'rw'),
  };
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** Does an exports(5) client spec cover this address? Host names and netgroups are not resolved: no. */
export function clientMatches(spec: string, address: string): boolean {
  if (spec === '' || spec === '*') return true;
  if (spec === address) return true;
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(spec);
  if (!m || !isIPv4(m[1]!) || !isIPv4(address) || Number(m[2]) > 32) return false;
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ipv4ToInt(m[1]!) & mask) >>> 0 === (ipv4ToInt(address) & mask) >>> 0;
}

export interface ExportOfMount {
  readonly path: string;
  readonly options: ExportOptions;
  readonly owner?: ExportOwner;
  /** The server directory the mount shows: the export itself, or a directory under it. */
  readonly directory: string;
}

/**
 * The export a client mount shows, from the mount's device (`server:/path`), its fstype and the client's address:
 * NFSv4 paths are relative to the `fsid=0` export when there is one, other paths are the server's own; the export is
 * the longest one containing the path, with the options of the first client spec that covers `clientAddress`.
 */
export function exportOfMount(
  reading: NfsExportsReading,
  device: string,
  fstype: string,
  clientAddress: string | undefined,
): ExportOfMount | undefined {
  const colon = device.lastIndexOf(':/');
  if (colon < 0) return undefined;
  const remote = device.slice(colon + 1);
  const isRoot = (e: ExportEntry) =>
    e.clients.some((c) => c.options.includes('fsid=0') || c.options.includes('fsid=root'));
  const root = fstype === 'nfs4' ? reading.entries.find(isRoot) : undefined;
  const directory = root ? `${root.path.replace(/\/+$/, '')}${remote === '/' ? '' : remote}` || '/' : remote;
  const within = (p: string) => directory === p || directory.startsWith(p.endsWith('/') ? p : `${p}/`);
  const entry = reading.entries.filter((e) => within(e.path)).sort((a, b) => b.path.length - a.path.length)[0];
  if (!entry) return undefined;
  const client =
    entry.clients.find((c) => clientAddress !== undefined && clientMatches(c.client, clientAddress)) ??
    entry.clients[0];
  const owner = Object.hasOwn(reading.owners, entry.path) ? reading.owners[entry.path] : undefined;
  return {
    path: entry.path,
    options: exportOptions(client?.options ?? []),
    ...(owner ? { owner } : {}),
    directory,
  };
}
