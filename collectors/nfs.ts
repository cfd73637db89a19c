import { turnLockFunctions } from './turn-lock.js';
import { MAX_FIELDS, MAX_LINE, decimalUint, fieldsOf } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

/** Reading /proc/mounts and mountstats never touches the NFS server, so they ride in the main poll. */
export const NFS_SECTIONS: readonly Section[] = [
  { id: 'proc-mounts', file: '/proc/mounts' },
  { id: 'mountstats', file: '/proc/self/mountstats' },
];

export interface MountEntry {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
  readonly options: readonly string[];
}

export interface NfsOpCounters {
  readonly ops: number;
  readonly transmissions: number;
  readonly majorTimeouts: number;
  /** Total round-trip time in ms over all ops. */
  readonly rttMs: number;
  readonly executeMs: number;
}

/** Kernel escapes spaces and tabs in mount paths as octal. */
const unescapeMount = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** /proc/mounts entries; over-long lines and lines with fewer than four fields are skipped. */
export function parseProcMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.length > MAX_LINE) continue;
    const f = line.split(' ', MAX_FIELDS);
    if (f.length < 4) continue;
    out.push({
      device: unescapeMount(f[0]!),
      mountpoint: unescapeMount(f[1]!),
      fstype: f[2]!,
      options: f[3]!.split(',', MAX_FIELDS),
    });
  }
  return out;
}

const DEVICE = /^device (\S+) mounted on (\S+) with fstype (\S+)/;
const PER_OP = /^\s+([A-Z_0-9]+):\s+(.*)$/;

/** Parse /proc/self/mountstats: per NFS mountpoint, op counters summed over every op type. */
export function parseMountstats(text: string): ParseResult<Map<string, NfsOpCounters>> {
  const out = new Map<string, NfsOpCounters>();
  let current:
    | {
        mountpoint: string;
        c: { ops: number; transmissions: number; majorTimeouts: number; rttMs: number; executeMs: number };
      }
    | undefined;
  let inOps = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > MAX_LINE) return parseError(`mountstats: line longer than ${MAX_LINE} characters`, i + 1);
    const dev = DEVICE.exec(line);
    if (dev) {
      if (current) out.set(current.mountpoint, current.c);
      current = dev[3]!.startsWith('nfs')
        ? {
            mountpoint: unescapeMount(dev[2]!),
            c: { ops: 0, transmissions: 0, majorTimeouts: 0, rttMs: 0, executeMs: 0 },
          }
        : undefined;
      inOps = false;
      continue;
    }
    if (!current) continue;
    if (/^\s+per-op statistics$/.test(line)) {
      inOps = true;
      continue;
    }
    const op = inOps ? PER_OP.exec(line) : null;
    if (op) {
      const f = fieldsOf(op[2]!);
      const n = f?.map((x) => decimalUint(x) ?? -1);
      if (!n || n.length < 8 || n.some((x) => x < 0))
        return parseError(`mountstats: bad per-op line for ${current.mountpoint}`, i + 1, line);
      current.c.ops += n[0]!;
      current.c.transmissions += n[1]!;
      current.c.majorTimeouts += n[2]!;
      current.c.rttMs += n[6]!;
      current.c.executeMs += n[7]!;
    }
  }
  if (current) out.set(current.mountpoint, current.c);
  return ok(out);
}

export interface NfsMountsReading {
  readonly mounts: readonly MountEntry[];
  readonly stats: ReadonlyMap<string, NfsOpCounters>;
}

export function interpretNfsMounts(sections: ReadonlyMap<string, SectionOutput>): ParseResult<NfsMountsReading> {
  const mounts = sections.get('proc-mounts');
  if (!mounts || mounts.exitCode !== 0)
    return parseError(`cannot read /proc/mounts: ${mounts?.stderr.trim().slice(0, 300) || 'no output'}`);
  const stats = sections.get('mountstats');
  const parsed = stats?.exitCode === 0 ? parseMountstats(stats.stdout) : ok(new Map<string, NfsOpCounters>());
  if (!parsed.ok) return parsed;
  return ok({ mounts: parseProcMounts(mounts.stdout).filter((m) => m.fstype.startsWith('nfs')), stats: parsed.value });
}

/**
 * Probe one mount without ever hanging the caller: `statfs` of the mountpoint (`stat -f`, which always asks the
 * server, unlike a stat the attribute cache can answer) under `timeout -s KILL`, timed.
 * $1 mountpoint, $2 timeout seconds. Prints stat's error, if any, then `rc=N ms=M` as the last line.
 * This form runs in an exec of its own (`sh -c`); a host with a probe shell runs NFS_PROBE_FUNCTION instead.
 */
export const NFS_PROBE_SCRIPT = `s=$(date +%s%N)
timeout -s KILL "$2" stat -f -c %b "$1" 2>&1 >/dev/null
rc=$?
e=$(date +%s%N)
echo "rc=$rc ms=$(( (e - s) / 1000000 ))"`;

/**
 * The same probe as a bash function for a long-lived bash on the host, one process a probe: `stat` alone, its error
 * read from a process substitution with bash's own `read -t` as the timeout (SIGKILL when it runs out, as `timeout -s
 * KILL` would: rc 137), its exit status from `wait`. The clock from bash's own $EPOCHREALTIME. A bash before 5 (no
 * `wait` for a process substitution) or a host without /dev/fd runs `timeout stat`, two processes. Same arguments,
 * same output; `ms` is the stat's own time.
 * Probers side by side (a console and a serve watching one mount) take turns on the mount (a lock file in $TMPDIR
 * per mountpoint): one that waited its turn prints the other's result when that probe ended after its own began (the
 * mount answered, or did not, since this probe was asked for) instead of asking the server again. The waits are
 * `read -t` on a FIFO the shell keeps (made once per shell); a turn never waits longer than the timeout and a second.
 */
export const NFS_PROBE_FUNCTION = {
  name: 'lvstop_nfs_probe',
  definition: `lvstop_nfs_nap() {
  [ -n "\${LV_NFS_FD:-}" ] || { local f="\${TMPDIR:-/tmp}/.lvstop-fifo-$$-nfs"; mkfifo -m 600 "$f" 2>/dev/null && exec {LV_NFS_FD}<>"$f"; rm -f "$f"; }
  if [ -n "\${LV_NFS_FD:-}" ]; then read -r -t "$1" -u "$LV_NFS_FD" _; else sleep "$1"; fi
  return 0
}
${turnLockFunctions('lvstop_nfs', 'lvstop_nfs_nap')}
lvstop_nfs_probe() {
  local s t e d=1000 rc fd pid err= c= v now
  s=\${EPOCHREALTIME/[.,]/}
  [ -n "$s" ] || { s=$(date +%s%N); d=1000000; }
  if [ "$d" = 1000 ] && [ "\${BASH_VERSINFO[0]:-0}" -ge 5 ] && [ -d /dev/fd ]; then
    # One file name per mountpoint (each _ as _u, each / as _s); a mountpoint with other characters is never shared.
    case $1 in *[!A-Za-z0-9._/-]*) ;; *) c=\${1//_/_u}; c="\${TMPDIR:-/tmp}/.lvstop-nfs-\${c//\\//_s}" ;; esac
    [ -z "$c" ] || lvstop_nfs_turn "$c.lock" $(( $2 * 20 + 20 )) || c=
    [ -z "$c" ] || [ -e "$c" ] || { set -C; : >"$c"; set +C; } 2>/dev/null
    if [ -n "$c" ] && [ -O "$c" ] && [ ! -L "$c" ]; then
      v=; IFS= read -r -d '' v <"$c"; t=\${v##*@@lvstop-end }; t=\${t%$'\\n'}; now=\${EPOCHREALTIME/[.,]/}
      case $t in ''|*[!0-9]*) t=0 ;; esac
      if [ "$t" -ge "$s" ] && [ "$t" -le "$now" ]; then
        printf '%s' "\${v%@@lvstop-end *}"; lvstop_nfs_free "$c.lock"
        return 0
      fi
    else c=; fi
  fi
  t=\${EPOCHREALTIME/[.,]/}; [ "$d" = 1000 ] || t=$s
  if [ "\${BASH_VERSINFO[0]:-0}" -ge 5 ] && [ -d /dev/fd ] && exec {fd}< <(exec stat -f -c %b "$1" 2>&1 >/dev/null </dev/null); then
    pid=$!
    IFS= read -r -d '' -t "$2" -u "$fd" err
    if [ $? -gt 128 ]; then kill -KILL "$pid" 2>/dev/null; rc=137; else wait "$pid"; rc=$?; fi
    exec {fd}<&-
    printf '%s' "$err"
  else
    timeout -s KILL "$2" stat -f -c %b "$1" 2>&1 >/dev/null
    rc=$?
  fi
  if [ "$d" = 1000 ]; then e=\${EPOCHREALTIME/[.,]/}; else e=$(date +%s%N); fi
  echo "rc=$rc ms=$(( (e - t) / d ))"
  if [ -n "$c" ]; then
    ! lvstop_nfs_held "$c.lock" || printf '%s\\n@@lvstop-end %s\\n' "\${err}rc=$rc ms=$(( (e - t) / d ))" "$e" >|"$c"
    lvstop_nfs_free "$c.lock"
  fi
  return 0
}`,
} as const;

/** The probe's two arguments, the same for the script and the function: the mountpoint and the timeout in seconds. */
export const nfsProbeArgs = (mountpoint: string, timeoutMs: number): [string, string] => [
  mountpoint,
  String(Math.max(1, Math.ceil(timeoutMs / 1000))),
];

export function nfsProbeArgv(mountpoint: string, timeoutMs: number): string[] {
  return ['sh', '-c', NFS_PROBE_SCRIPT, 'nfs-probe', ...nfsProbeArgs(mountpoint, timeoutMs)];
}

export interface NfsProbeResult {
  readonly exitCode: number;
  readonly elapsedMs: number;
  readonly error: string;
}

/** The probe's output: stat's error lines, if any, then `rc=N ms=M` as the last line. */
export function parseNfsProbe(text: string): ParseResult<NfsProbeResult> {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const nl = body.lastIndexOf('\n');
  const last = body.slice(nl + 1);
  const m = /^rc=(\d{1,3}) ms=(\d{1,12})$/.exec(last.length > MAX_LINE ? '' : last);
  if (!m || Number(m[1]) > 255) return parseError('nfs probe: expected "rc=N ms=M" as the last line', 1, last);
  // stat's message names the path, so it is short; whatever it is, the first 2000 characters are kept.
  const error = (nl < 0 ? '' : body.slice(0, Math.min(nl, 2000))).trim();
  return ok({ exitCode: Number(m[1]), elapsedMs: Number(m[2]), error });
}

export type NfsHealth = 'OK' | 'SLOW' | 'HUNG' | 'STALE' | 'MISSING';

/** Judge one mount from /proc/mounts and the last probe. */
export function judgeNfsMount(
  mounted: boolean,
  probe: NfsProbeResult | undefined,
  slowMs: number,
): { readonly health: NfsHealth; readonly reason: string } {
  if (!mounted) return { health: 'MISSING', reason: 'not in /proc/mounts' };
  if (!probe) return { health: 'OK', reason: 'mounted; not probed yet' };
  if (probe.exitCode === 137 || probe.exitCode === 124)
    return { health: 'HUNG', reason: `stat did not return within ${probe.elapsedMs} ms (killed)` };
  if (/stale/i.test(probe.error)) return { health: 'STALE', reason: probe.error.split('\n')[0] ?? 'stale file handle' };
  if (probe.exitCode !== 0)
    return { health: 'HUNG', reason: probe.error.split('\n')[0] || `stat exited ${probe.exitCode}` };
  if (probe.elapsedMs > slowMs) return { health: 'SLOW', reason: `stat took ${probe.elapsedMs} ms (> ${slowMs} ms)` };
  return { health: 'OK', reason: `stat in ${probe.elapsedMs} ms` };
}
