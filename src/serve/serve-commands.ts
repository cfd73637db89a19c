import { EXIT } from '../actions/exit-codes.js';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/load-config.js';
import { DEFAULT_SERVE_LIMITS } from './serve-limits.js';

type Load = (file: string) => Promise<ResolvedConfig>;

interface GlobalOptions {
  readonly config: string;
  readonly readOnly?: boolean;
  readonly acceptNew?: boolean;
  readonly interval?: number;
}

/** SIGTERM or SIGINT, whichever comes first. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGTERM', on('SIGTERM'));
    process.once('SIGINT', on('SIGINT'));
  });
}

interface ServeCliOptions extends GlobalOptions {
  readonly socket?: string;
  readonly socketMode: string;
  readonly listen?: string;
  readonly metricsListen?: string;
  readonly tokenFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly maxClients: string;
  readonly allowActions?: boolean;
  readonly site: string;
  readonly record: boolean;
  readonly recordDir?: string;
}

/** Run `lvstop serve` with its parsed options: usage errors exit 2, a socket in use 1. */
async function serveAction(o: ServeCliOptions, load: Load): Promise<void> {
  const usage = (message: string) => {
    process.stderr.write(`lvstop serve: ${message}\n`);
    process.exitCode = EXIT.badInput;
  };
  if (!/^[0-7]{3,4}$/.test(o.socketMode)) return usage(`--socket-mode: expected octal like 660, got "${o.socketMode}"`);
  const maxClients = /^\d{1,6}$/.test(o.maxClients) ? Number(o.maxClients) : 0;
  if (maxClients < 1) return usage(`--max-clients: expected a whole number from 1, got "${o.maxClients}"`);
  const resolved = await load(o.config);
  // The poller, the metrics and the attach hub load only for `serve`, and the console only for `attach`.
  const { runServe, ServeUsageError, SocketInUseError } = await import('./serve-command.js');
  try {
    process.exitCode = await runServe(resolved, {
      ...(o.socket ? { socket: o.socket } : {}),
      ...(o.listen ? { listen: o.listen } : {}),
      ...(o.metricsListen ? { metricsListen: o.metricsListen } : {}),
      ...(o.tokenFile ? { tokenFile: o.tokenFile } : {}),
      ...(o.tlsCert ? { tlsCert: o.tlsCert } : {}),
      ...(o.tlsKey ? { tlsKey: o.tlsKey } : {}),
      limits: { maxClients },
      allowActions: Boolean(o.allowActions),
      socketMode: parseInt(o.socketMode, 8),
      site: o.site,
      record: o.record,
      ...(o.recordDir ? { recordDir: o.recordDir } : {}),
      ...(o.acceptNew ? { acceptNew: true } : {}),
      ...(o.readOnly ? { readOnly: true } : {}),
      ...(o.interval ? { interval: o.interval } : {}),
      stopSignal: stopSignal(),
    });
  } catch (err) {
    if (!(err instanceof ServeUsageError || err instanceof SocketInUseError)) throw err;
    process.stderr.write(`lvstop serve: ${err.message}\n`);
    process.exitCode = err instanceof ServeUsageError ? 2 : 1;
  }
}

/** `lvstop serve`: one poller for every attached console, an attach socket or listener, /metrics. */
function registerServe(program: Command, load: Load): void {
  program
    .command('serve')
    .description('poll the fleet headless for every attached console; --listen adds /metrics and token attach')
    .option('--socket <path>', 'unix socket consoles attach to (its mode and group decide who may)')
    .option('--socket-mode <octal>', 'permission bits of the socket file', '660')
    .option('--listen <host:port>', 'HTTP: GET /metrics, and attach with a bearer token')
    .option('--metrics-listen <host:port>', 'GET /metrics only: no attach, no token')
    .option('--token-file <file>', 'tokens for --listen: one NAME:TOKEN (or TOKEN) per line, owned by you, mode 600')
    .option('--tls-cert <file>', 'PEM certificate (chain): --listen and --metrics-listen speak TLS (https)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option(
      '--max-clients <n>',
      'consoles connected at once; more are refused',
      String(DEFAULT_SERVE_LIMITS.maxClients),
    )
    .option('--allow-actions', "attached consoles may act (through serve's pipeline, audited with their name)")
    .option('--site <name>', 'name of this serve for attached consoles', hostname())
    .option('--no-record', "do not record (serve records into the config's recordDir by default)")
    .option('--record-dir <dir>', 'record into this directory')
    .action((_o, cmd: Command) => serveAction(cmd.optsWithGlobals<ServeCliOptions>(), load));
}

/** `lvstop attach`: a console fed by one or more serves. */
function registerAttach(program: Command): void {
  program
    .command('attach <target...>')
    .description('open the console fed by one or more serves (socket paths, https:// or http://HOST:PORT)')
    .option('--token-file <file>', 'bearer token for https:// and http:// targets (else $LVSTOP_TOKEN)')
    .option('--ca <file>', "PEM CA that signed serve's TLS certificate (default: the system's CAs)")
    .option('--insecure-http', 'allow sending the token over plain http:// to an address that is not loopback')
    .option('--operator <name>', 'your name for the audit log (default $USER)')
    .action(async (targets: string[], _o, cmd: Command) => {
      const o = cmd.opts<{ tokenFile?: string; operator?: string; ca?: string; insecureHttp?: boolean }>();
      const [{ runAttach }, { AttachError }] = await Promise.all([
        import('./attach-command.js'),
        import('./attach-connection.js'),
      ]);
      try {
        process.exitCode = await runAttach(targets, {
          ...(o.tokenFile ? { tokenFile: o.tokenFile } : {}),
          ...(o.operator ? { operator: o.operator } : {}),
          ...(o.ca ? { caFile: o.ca } : {}),
          ...(o.insecureHttp ? { insecureHttp: true } : {}),
        });
      } catch (err) {
        if (!(err instanceof AttachError)) throw err;
        process.stderr.write(`lvstop: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}

/** `lvstop serve` (one poller, attach socket/listener, /metrics) and `lvstop attach` (a console fed by serves). */
export function registerServeCommands(program: Command, load: Load): void {
  registerServe(program, load);
  registerAttach(program);
}
