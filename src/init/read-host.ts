import { IPVS_SAVE_ARGV, parseIpvsSave, type SavedService } from '../../collectors/ipvs-save.js';
import {
  KEEPALIVED_CONF_PATH,
  mergeKeepalivedConfs,
  parseKeepalivedConf,
  resolveIncludePath,
  type KeepalivedConf,
} from '../../collectors/keepalived-conf.js';
import { parseIpAddr, type InterfaceAddress } from '../../collectors/net-state.js';
import type { Transport } from '../transport/transport.js';
import { TransportFailure } from '../transport/transport-error.js';
import { notifyLogOf } from './notify-log.js';

/** What `lvstop init` learnt from one host. Reading never changes the host: only cat, ipvsadm -S, ip addr, test. */
export interface HostReading {
  readonly alias: string;
  /** The host could not be reached at all. */
  readonly error?: string;
  readonly keepalived?: KeepalivedConf;
  readonly confFiles: readonly string[];
  /** Why there is no (complete) keepalived configuration. */
  readonly keepalivedProblem?: string;
  readonly ipvs?: readonly SavedService[];
  readonly ipvsProblem?: string;
  readonly addresses: readonly InterfaceAddress[];
  readonly pidFile?: string;
  /** Notify script → the log file it appends to. */
  readonly notifyLogs: ReadonlyMap<string, string>;
}

const DEFAULT_PID_FILES = ['/run/keepalived.pid', '/var/run/keepalived.pid'];
const MAX_INCLUDED_FILES = 64;
/** Expands one include pattern (a glob) on the host, one existing file per line. */
const EXPAND_GLOB = 'for f in $1; do [ -f "$f" ] && printf "%s\\n" "$f"; done; exit 0';

function failureText(err: unknown): string {
  return err instanceof TransportFailure ? `${err.detail.kind}: ${err.detail.message}` : String(err);
}

class HostReader {
  constructor(
    private readonly transport: Transport,
    private readonly timeoutMs: number,
  ) {}

  async run(argv: readonly string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
    const r = await this.transport.exec(argv, { timeoutMs: this.timeoutMs, maxOutputBytes: 4 * 1024 * 1024 });
    return { ok: r.exitCode === 0, stdout: r.stdout, stderr: r.stderr.trim() || `exit code ${r.exitCode}` };
  }

  /** The main file and every included file (depth first, each once), parsed and merged. */
  async keepalived(main: string): Promise<{ conf?: KeepalivedConf; files: string[]; problem?: string }> {
    const files: string[] = [];
    const confs: KeepalivedConf[] = [];
    const problems: string[] = [];
    const readFile = async (path: string): Promise<void> => {
      if (files.includes(path) || files.length >= MAX_INCLUDED_FILES) return;
      const r = await this.run(['cat', '--', path]);
      if (!r.ok) {
        problems.push(`cannot read ${path}: ${r.stderr}`);
        return;
      }
      files.push(path);
      const parsed = parseKeepalivedConf(r.stdout);
      if (!parsed.ok) {
        problems.push(`${path}:${parsed.error.line ?? '?'}: ${parsed.error.message}`);
        return;
      }
      confs.push(parsed.value);
      for (const pattern of parsed.value.includes) {
        const expanded = await this.run(['sh', '-c', EXPAND_GLOB, 'sh', resolveIncludePath(pattern, path)]);
        for (const f of expanded.stdout.split('\n').filter(Boolean)) await readFile(f);
      }
    };
    await readFile(main);
    if (confs.length === 0) return { files, problem: problems[0] ?? `no ${main}` };
    return { conf: mergeKeepalivedConfs(confs), files, ...(problems.length ? { problem: problems.join('; ') } : {}) };
  }

  async ipvs(): Promise<{ services?: readonly SavedService[]; problem?: string }> {
    const r = await this.run(IPVS_SAVE_ARGV);
    if (!r.ok) return { problem: `ipvsadm -S -n failed: ${r.stderr}` };
    const parsed = parseIpvsSave(r.stdout);
    return parsed.ok ? { services: parsed.value } : { problem: `ipvsadm -S -n: ${parsed.error.message}` };
  }

  async addresses(): Promise<InterfaceAddress[]> {
    const r = await this.run(['ip', '-j', 'addr', 'show']);
    const parsed = r.ok ? parseIpAddr(r.stdout) : undefined;
    return parsed?.ok ? parsed.value : [];
  }

  async pidFile(): Promise<string | undefined> {
    for (const f of DEFAULT_PID_FILES) if ((await this.run(['test', '-s', f])).ok) return f;
    return undefined;
  }

  async notifyLogs(conf: KeepalivedConf | undefined): Promise<Map<string, string>> {
    const scripts = new Set(conf?.instances.flatMap((i) => i.notify.map((n) => n.split(/\s+/)[0]!)) ?? []);
    const logs = new Map<string, string>();
    for (const script of scripts) {
      if (!script.startsWith('/')) continue;
      const r = await this.run(['cat', '--', script]);
      const log = r.ok ? notifyLogOf(r.stdout) : undefined;
      if (log) logs.set(script, log);
    }
    return logs;
  }
}

/** Read a director (keepalived.conf with includes, the IPVS rules, addresses, pid file, notify logs). */
export async function readDirector(
  alias: string,
  transport: Transport,
  timeoutMs: number,
  confPath: string = KEEPALIVED_CONF_PATH,
): Promise<HostReading> {
  const reader = new HostReader(transport, timeoutMs);
  try {
    const ka = await reader.keepalived(confPath);
    const ipvs = await reader.ipvs();
    return {
      alias,
      ...(ka.conf ? { keepalived: ka.conf } : {}),
      confFiles: ka.files,
      ...(ka.problem ? { keepalivedProblem: ka.problem } : {}),
      ...(ipvs.services ? { ipvs: ipvs.services } : {}),
      ...(ipvs.problem ? { ipvsProblem: ipvs.problem } : {}),
      addresses: await reader.addresses(),
      ...(ka.conf ? { pidFile: await reader.pidFile() } : {}),
      notifyLogs: await reader.notifyLogs(ka.conf),
    };
  } catch (err) {
    return { alias, error: failureText(err), confFiles: [], addresses: [], notifyLogs: new Map() };
  }
}

/** Read a real server: only its addresses, to tell which real server address it is. */
export async function readRealServer(alias: string, transport: Transport, timeoutMs: number): Promise<HostReading> {
  try {
    const addresses = await new HostReader(transport, timeoutMs).addresses();
    return { alias, confFiles: [], addresses, notifyLogs: new Map() };
  } catch (err) {
    return { alias, error: failureText(err), confFiles: [], addresses: [], notifyLogs: new Map() };
  }
}
