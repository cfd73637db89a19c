#!/usr/bin/env bash
# Captures the NFS write check (collectors/nfs-write.ts, the command line exactly as the console sends it) on web1 and
# web2, and the nfs host's export reading (collectors/nfs-exports.ts), for parser tests:
#   test/lab/capture-nfs-write-fixtures.sh [outdir=test/fixtures/nfs-write]
# States: writable (the export /srv/wordpress owned by www-data, 33:33 mode 775, as the lab sets it up) and
# uid-mismatch (owned by 48:48 mode 755, what `lab.sh fault nfs-uid-mismatch nfs` does). The owner changes are made
# here over ssh on `nfs`; the owner and mode found at start are put back on exit. When no process named httpd runs
# (a lab started before its web servers ran as www-data), a busybox httpd linked as httpd runs as www-data on :8099
# of web1 while capturing, and is killed by its pid on exit. Needs the lab up.
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
LAB_STATE=${LVSTOP_LAB_STATE:-$REPO/.lab}
OUT=${1:-$REPO/test/fixtures/nfs-write}
SSH=(ssh -F "$LAB_STATE/ssh_config" -o BatchMode=yes -o ConnectTimeout=30)
log() { printf '[capture] %s\n' "$*" >&2; }

[[ -f $LAB_STATE/ssh_config ]] || { log "the lab is not up: bash test/lab/lab.sh up"; exit 1; }
ORIGINAL=$("${SSH[@]}" nfs "stat -c '%u:%g %a' /srv/wordpress")
TEMP_HTTPD=
restore() {
  read -r owner mode <<<"$ORIGINAL"
  "${SSH[@]}" nfs "chown $owner /srv/wordpress && chmod $mode /srv/wordpress" || log "could not restore /srv/wordpress to $ORIGINAL"
  [[ -z $TEMP_HTTPD ]] || "${SSH[@]}" web1 "kill $TEMP_HTTPD; rm -rf /tmp/lvstop-capture-httpd" || true
}
trap restore EXIT

# The command line the console sends for nfsWriteArgv(dir, 3000 ms, user, token), built from the TypeScript source.
write_command() { # user token
  (cd "$REPO" && node_modules/.bin/esbuild --bundle --platform=node --format=esm --log-level=error --loader=ts \
    <<<"import { nfsWriteArgv } from './collectors/nfs-write.ts';
import { argvToCommand } from './src/transport/command-line.ts';
process.stdout.write(argvToCommand(nfsWriteArgv('/var/www/html', 3000, process.argv[2] || undefined, process.argv[3])));") |
    node --input-type=module - "$1" "$2"
}
owners_script() {
  (cd "$REPO" && node_modules/.bin/esbuild --bundle --platform=node --format=esm --log-level=error --loader=ts \
    <<<"import { NFS_EXPORT_SECTIONS } from './collectors/nfs-exports.ts';
const s = NFS_EXPORT_SECTIONS.find((x) => x.id === 'nfs-export-owners');
process.stdout.write(s && 'script' in s ? s.script : '');") | node --input-type=module -
}

capture() { # state description
  local dir=$OUT/$1 host user name rc
  rm -rf "$dir"
  mkdir -p "$dir"
  {
    echo "# $1: $2"
    echo
    echo "Captured $(date -u +%Y-%m-%dT%H:%M:%SZ) on the lvstop lab ($(cat "$LAB_STATE/tier") tier) by"
    echo "test/lab/capture-nfs-write-fixtures.sh. Exit codes of the ssh command in the table."
    echo
    echo "| file | host | what | exit |"
    echo "| ---- | ---- | ---- | ---- |"
  } >"$dir/README.md"
  for host in web1 web2; do
    for user in www-data ''; do
      name=$host/write-as-${user:-web-server}.txt
      mkdir -p "$dir/$host"
      rc=0
      "${SSH[@]}" "$host" "$(write_command "$user" "capture$RANDOM")" >"$dir/$name" 2>"$dir/$name.stderr" || rc=$?
      [[ -s $dir/$name.stderr ]] || rm -f "$dir/$name.stderr"
      echo "| $name | $host | nfsWriteArgv('/var/www/html', 3000, ${user:-undefined}) | $rc |" >>"$dir/README.md"
    done
    "${SSH[@]}" "$host" "cat /proc/mounts" >"$dir/$host/proc-mounts.txt"
    echo "| $host/proc-mounts.txt | $host | cat /proc/mounts | 0 |" >>"$dir/README.md"
    "${SSH[@]}" "$host" "ls -A /var/www/html" >"$dir/$host/ls-A-after.txt"
    echo "| $host/ls-A-after.txt | $host | ls -A /var/www/html after the checks (no .lvstop-write-* left) | 0 |" >>"$dir/README.md"
  done
  mkdir -p "$dir/nfs"
  for f in etab:/var/lib/nfs/etab kernel-exports:/proc/fs/nfsd/exports etc-exports:/etc/exports; do
    "${SSH[@]}" nfs "cat ${f#*:}" >"$dir/nfs/${f%%:*}.txt"
    echo "| nfs/${f%%:*}.txt | nfs | cat ${f#*:} | 0 |" >>"$dir/README.md"
  done
  "${SSH[@]}" nfs sh -s <<<"$(owners_script)" >"$dir/nfs/export-owners.txt"
  echo "| nfs/export-owners.txt | nfs | the nfs-export-owners section's script | 0 |" >>"$dir/README.md"
  log "$1: $(find "$dir" -type f | wc -l) files"
}

if ! "${SSH[@]}" web1 'for p in /proc/[0-9]*; do read -r c <$p/comm; [ "$c" = httpd ] && exit 0; done 2>/dev/null; exit 1'; then
  TEMP_HTTPD=$("${SSH[@]}" web1 'mkdir -p /tmp/lvstop-capture-httpd && ln -sfn /bin/busybox /tmp/lvstop-capture-httpd/httpd &&
    setsid -f /tmp/lvstop-capture-httpd/httpd -f -p 8099 -u www-data:www-data -h /tmp/lvstop-capture-httpd </dev/null >/dev/null 2>&1
    sleep 1; for p in /proc/[0-9]*; do read -r c <$p/comm; [ "$c" = httpd ] && echo ${p#/proc/}; done 2>/dev/null | head -n 1')
  log "no httpd process: started one as www-data on web1:8099 (pid $TEMP_HTTPD)"
fi
"${SSH[@]}" nfs 'chown 33:33 /srv/wordpress && chmod 775 /srv/wordpress'
capture writable "/srv/wordpress on nfs owned by 33:33 mode 775 (www-data on web1 and web2), the lab's normal state"
"${SSH[@]}" nfs 'chown 48:48 /srv/wordpress && chmod 755 /srv/wordpress'
capture uid-mismatch "/srv/wordpress on nfs owned by 48:48 mode 755, as the nfs-uid-mismatch fault leaves it"
log "fixtures written under ${OUT#"$REPO"/}"
