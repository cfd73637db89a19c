import { MAX_LINE, decimalUint } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';

/** Process names of web servers whose user the write check takes when no user is configured. */
export const WEB_SERVER_NAMES = ['httpd', 'apache2', 'nginx', 'lighttpd', 'php-fpm*'] as const;

/**
 * Can the web server's user create a file on the mount? Run as root (or through sudo -n) in its own exec, never in the
 * poll's shell: every touch of the mount (stat, the write, the clean-up) is a process under `timeout -s KILL`, so a
 * hung mount costs at most four timeouts and never blocks a shell builtin.
 *
 * $1 the directory to write in, $2 timeout seconds, $3 user name ('' = the user of the web server's worker processes,
 * found in /proc/<pid>/status with builtins), $4 a random token. The owner is read after the write (whose replies
 * carry the directory's attributes) with `find`, which opens the directory and so makes the client revalidate them
 * (close-to-open): a plain `stat` may show the owner the client cached before a chown on the server. Creates `$1/.lvstop-write-$4` with O_EXCL (`set -C`)
 * as that user (`setpriv`, else `runuser`) and removes it; when the write half-fails or is killed, removes it again as
 * the user, then as root, and reports a file it could not remove. Prints `user=`, `runner=`, `write=`, `left=` and
 * `owner=` lines, then at most 400 characters of the write's error. SIGPIPE is ignored: when the console goes away
 * mid-check (its connection closed), a line printed to nobody must not end the script before its clean-up.
 */
export const NFS_WRITE_SCRIPT = `p=$1 t=$2 f="$1/.lvstop-write-$4" user= uid= gid= from=none
trap '' PIPE
if [ -n "$3" ]; then
  from=config
  while IFS=: read -r n x u g r; do [ "$n" = "$3" ] && { user=$n uid=$u gid=$g; break; }; done </etc/passwd
else
  for s in /proc/[0-9]*/status; do
    n= u= g=
    while read -r k a b c; do
      case $k in Name:) n=$a ;; Uid:) u=$b ;; Gid:) g=$b; break ;; esac
    done 2>/dev/null <"$s"
    case $n in ${WEB_SERVER_NAMES.join(' | ')}) ;; *) continue ;; esac
    [ "$from" = none ] || [ "$uid" = 0 ] || continue
    uid=$u gid=$g from=\${s%/status}
    from=process:\${from#/proc/}:$n
  done
  [ -z "$uid" ] || while IFS=: read -r n x u g r; do [ "$u" = "$uid" ] && { user=$n; break; }; done </etc/passwd
fi
echo "user=$user uid=$uid gid=$gid from=$from"
[ -n "$uid" ] || exit 0
if command -v setpriv >/dev/null 2>&1; then
  [ -n "$user" ] && grp=--init-groups || grp=--clear-groups
  set -- setpriv --reuid="$uid" --regid="$gid" $grp
elif [ -n "$user" ] && command -v runuser >/dev/null 2>&1; then
  set -- runuser -u "$user" --
else
  echo "runner=none"
  exit 0
fi
echo "runner=$1"
err=$(timeout -s KILL "$t" "$@" sh -c 'set -C; true >"$1" || exit 3; rm -f "$1" || exit 4' lvstop-write "$f" 2>&1)
rc=$?
echo "write=$rc"
if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
  timeout -s KILL "$t" "$@" rm -f "$f" 2>/dev/null
  timeout -s KILL "$t" rm -f "$f" 2>/dev/null
  timeout -s KILL "$t" stat -c %i "$f" >/dev/null 2>&1 && echo "left=$f"
fi
o=$(timeout -s KILL "$t" find "$p" -maxdepth 0 -printf '%U %G %m' 2>&1)
echo "owner=$? $o"
printf '%.400s\\n' "$err"`;

/** The file the probe creates and removes under `dir`. */
export const nfsWriteFile = (dir: string, token: string) => `${dir.replace(/\/+$/, '')}/.lvstop-write-${token}`;

/** Remote touches of the mount the script may make in a row (write, two removals, a check, the owner). */
export const NFS_WRITE_STEPS = 5;
/** The write gets this many stat-probe timeouts: a create and a remove are two round trips, on a busy server slow. */
export const NFS_WRITE_TIMEOUT_FACTOR = 2;

export function nfsWriteArgv(dir: string, timeoutMs: number, user: string | undefined, token: string): string[] {
  const sec = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  return ['sh', '-c', NFS_WRITE_SCRIPT, 'nfs-write', dir, sec, user ?? '', token];
}

export interface NfsWriteResult {
  /** The user written as; absent when none was found (no web server process, a configured name not in passwd). */
  readonly user?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** `config`, or the web server process the user was taken from (`process:1234:nginx`), or `none`. */
  readonly userFrom: string;
  /** Owner and mode of the write directory as the client sees it; absent when stat failed. */
  readonly owner?: { readonly uid: number; readonly gid: number; readonly mode: string };
  readonly ownerError?: string;
  /** `none`: neither setpriv nor runuser on the host. */
  readonly runner?: 'setpriv' | 'runuser' | 'none';
  /** Exit code of the write (0 created and removed, 3 create refused, 4 remove refused, 137 killed). */
  readonly writeExit?: number;
  /** A probe file the clean-up could not remove. */
  readonly leftover?: string;
  readonly error: string;
}

const USER = /^user=(\S*) uid=(\d*) gid=(\d*) from=(\S+)$/;
const OWNER = /^owner=(\d{1,3}) ?(.*)$/;

/** Parse the write probe's output; lines it does not know are ignored, a missing `user=` line is an error. */
export function parseNfsWrite(text: string): ParseResult<NfsWriteResult> {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  const u = first.length > MAX_LINE ? null : USER.exec(first);
  if (!u) return parseError('nfs write probe: expected "user=… uid=… gid=… from=…"', 1, first);
  const out: {
    -readonly [K in keyof NfsWriteResult]: NfsWriteResult[K];
  } = { userFrom: u[4]!, error: '' };
  const uid = decimalUint(u[2]!, 10);
  const gid = decimalUint(u[3]!, 10);
  if (u[1]) out.user = u[1];
  if (uid !== undefined) out.uid = uid;
  if (gid !== undefined) out.gid = gid;
  let i = 1;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > MAX_LINE) break;
    const o = OWNER.exec(line);
    if (o) {
      const f = o[2]!.split(' ');
      const ou = decimalUint(f[0] ?? '', 10);
      const og = decimalUint(f[1] ?? '', 10);
      if (o[1] === '0' && ou !== undefined && og !== undefined && /^[0-7]{3,4}$/.test(f[2] ?? ''))
        out.owner = { uid: ou, gid: og, mode: f[2]! };
      else out.ownerError = o[2]!.slice(0, 400) || `stat exited ${o[1]}`;
    } else if (line.startsWith('runner=')) {
      const r = line.slice(7);
      if (r === 'setpriv' || r === 'runuser' || r === 'none') out.runner = r;
    } else if (/^write=\d{1,3}$/.test(line)) out.writeExit = Number(line.slice(6));
    else if (line.startsWith('left=')) out.leftover = line.slice(5, 5 + 1000);
    else break;
  }
  if (out.writeExit !== undefined) out.error = lines.slice(i).join('\n').slice(0, 2000).trim();
  return ok(out);
}

export interface NfsWriteVerdict {
  /** true writable, false not writable, null not checked (no user, no tool, the tool failed). */
  readonly ok: boolean | null;
  readonly reason: string;
}

const who = (r: NfsWriteResult) => `${r.user ?? `uid ${r.uid ?? '?'}`}${r.user ? ` uid ${r.uid ?? '?'}` : ''}`;
/** The shell's message without its name and the probe file's random name: `Permission denied`. */
const firstLine = (s: string) =>
  s
    .split('\n')[0]!
    .replace(/^lvstop-write: \d+: /, '')
    .replace(/^cannot create \S*\/\.lvstop-write-[^:\s]*: /, '');

/** Judge one write probe on its own (the owner and the export's squash options are added by the view). */
export function judgeNfsWrite(r: NfsWriteResult, configuredUser: string | undefined): NfsWriteVerdict {
  if (r.uid === undefined)
    return {
      ok: null,
      reason:
        r.userFrom === 'config'
          ? `not checked: user ${configuredUser ?? '?'} is not in /etc/passwd`
          : `not checked: no web server process (${WEB_SERVER_NAMES.join(', ')}) found; set writeAs`,
    };
  if (r.runner === 'none' || r.runner === undefined) return { ok: null, reason: 'not checked: no setpriv/runuser' };
  const left = r.leftover ? `; could not remove ${r.leftover}` : '';
  switch (r.writeExit) {
    case 0:
      return { ok: true, reason: `${who(r)} can write` };
    case 3:
      return { ok: false, reason: `${who(r)} cannot write: ${firstLine(r.error) || 'create refused'}${left}` };
    case 4:
      return { ok: false, reason: `${who(r)} can create but not remove: ${firstLine(r.error)}${left}` };
    case 124:
    case 137:
      // Slow, not refused: whether the mount answers is the stat probe's judgement (SLOW, HUNG).
      return { ok: null, reason: `not checked: the write as ${who(r)} did not finish in time (killed)${left}` };
    default:
      return {
        ok: null,
        reason: `not checked: ${r.runner} exited ${r.writeExit ?? '?'}: ${firstLine(r.error) || 'no message'}${left}`,
      };
  }
}
