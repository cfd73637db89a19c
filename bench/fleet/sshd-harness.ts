/**
 * A private OpenSSH sshd on 127.0.0.1 for the fleet benchmark: its own host key, client key, authorized_keys and
 * sshd_config in a temp dir, started as a child and killed by its PID on exit. Its sessions find a tiny `ipvsadm`
 * first in PATH that prints a captured table, so the remote side stays cheap and the console is what is measured.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { advanceCounters } from '../scale-table.js';

export interface CapturedTable {
  /** `ipvsadm -L -n --exact` output. */
  readonly list: string;
  /** `ipvsadm -L -n --stats --exact` output. */
  readonly stats: string;
  /** `ip -j addr` output of a director. */
  readonly ipAddr: string;
}

export interface FleetSshd {
  readonly dir: string;
  readonly port: number;
  readonly pid: number;
  readonly user: string;
  readonly identityFile: string;
  /** A known_hosts holding this sshd's key as `[127.0.0.1]:port`. */
  readonly knownHostsFile: string;
  stop(): Promise<void>;
}

/** Counter snapshots the `--stats` answer cycles through, one a second (a wrap reads as a counter reset). */
const STATS_VARIANTS = 60;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

/**
 * The shims first in PATH for every session. `ipvsadm` prints the captured list, or the stats snapshot of the
 * current second. `ip -j addr` prints the captured director's addresses. `sh` is dash with these as functions and
 * one change: this kernel has no ip_vs, so the collectors' guard `test -e /proc/net/ip_vs` is answered true (every
 * other `test` is the builtin); the session's scripts are then read from stdin (a pipe under sshd) as `sh` would.
 */
function writeShims(bin: string, data: string): void {
  const ipvsadm = `case " $* " in
*" --stats "*) read up _ </proc/uptime; cat "${data}/stats-$(( \${up%%.*} % ${STATS_VARIANTS} )).txt" ;;
*" -L "*|*" -l "*) cat "${data}/list.txt" ;;
*) echo "ipvsadm (bench stand-in): only -L -n [--stats] --exact is answered" >&2; return 2 ;;
esac`;
  const ip = `if [ "$*" = "-j addr show" ] || [ "$*" = "-j addr" ]; then cat "${data}/ip-j-addr.txt"; else /usr/sbin/ip "$@"; fi`;
  writeExecutable(join(bin, 'ipvsadm'), `#!/bin/dash\nipvsadm() {\n${ipvsadm}\n}\nipvsadm "$@"\n`);
  writeExecutable(join(bin, 'ip'), `#!/bin/dash\n${ip}\n`);
  // The shell's functions come before PATH: a poll's `ipvsadm` costs one `cat`, not a shell and a `cat`.
  writeExecutable(
    join(bin, 'sh'),
    `#!/bin/dash
test() { if [ "$*" = "-e /proc/net/ip_vs" ]; then return 0; fi; command test "$@"; }
ipvsadm() {
${ipvsadm}
}
ip() { ${ip}; }
. /dev/stdin
`,
  );
}

export async function startFleetSshd(table: CapturedTable): Promise<FleetSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'lvstop-fleet-'));
  const bin = join(dir, 'bin');
  const data = join(dir, 'data');
  const home = join(dir, 'home');
  for (const d of [bin, data, home]) mkdirSync(d);
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lvstop-fleet-bench', '-f', file]);
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'id_client'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_client.pub')));
  writeFileSync(join(data, 'list.txt'), table.list);
  writeFileSync(join(data, 'ip-j-addr.txt'), table.ipAddr);
  for (let i = 0; i < STATS_VARIANTS; i++)
    writeFileSync(join(data, `stats-${i}.txt`), advanceCounters(table.stats, i * 7));
  writeShims(bin, data);

  const user = process.env.USER ?? execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  let child: ChildProcess | undefined;
  let port = 0;
  // A port picked free may be taken before sshd binds it: try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        // 300 handshakes at once must all be accepted (the default 10:30:100 drops them), and each connection may
        // hold the console's shell plus its exec channels.
        'MaxStartups 2000',
        'MaxSessions 64',
        'UseDNS no',
        'LogLevel ERROR',
        // HOME elsewhere: the user's own shell rc files (pyenv...) would cost more than the poll itself.
        `SetEnv PATH=${bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=${home}`,
        '',
      ].join('\n'),
    );
    execFileSync('/usr/sbin/sshd', ['-t', '-f', config]);
    mkdirSync('/run/sshd', { recursive: true });
    const c = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', join(dir, 'sshd.log')], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    let up = false;
    while (Date.now() < deadline && c.exitCode === null && !(up = await accepting(port)))
      await new Promise((r) => setTimeout(r, 50));
    if (up) child = c;
    else if (c.exitCode === null) c.kill('SIGTERM');
  }
  if (!child?.pid) throw new Error(`private sshd did not start; see ${join(dir, 'sshd.log')}`);
  const pid = child.pid;
  const knownHostsFile = join(dir, 'known_hosts');
  const [type, key] = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${type} ${key}\n`);

  const killNow = () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', killNow);
  const running = child;
  return {
    dir,
    port,
    pid,
    user,
    identityFile: join(dir, 'id_client'),
    knownHostsFile,
    stop: async () => {
      process.removeListener('exit', killNow);
      if (running.exitCode === null) {
        const gone = new Promise((r) => running.once('exit', r));
        killNow();
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
