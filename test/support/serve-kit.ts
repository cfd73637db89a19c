import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { loadConfig, type ResolvedConfig } from '../../src/config/load-config.js';
import { openAttach, type AttachConnection, type HttpAttachOptions } from '../../src/serve/attach-connection.js';
import { startServe, type RunningServe, type ServeOptions } from '../../src/serve/serve-command.js';
import { scaled } from './until.js';

/** `NAME:TOKEN` as a token file holds it. */
export const TEST_TOKEN = 'oncall:0123456789abcdef0123';
export const TEST_SECRET = TEST_TOKEN.split(':')[1]!;

/** Poll `check` every 50 ms until it holds; throws after `ms` (scaled). */
export async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + scaled(ms);
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ServeKit {
  /** This test's temp dir. */
  dir: string;
  /** The default config: cluster `here-cluster`, host `here`. */
  resolved: ResolvedConfig;
  /** What serve logged, line by line. */
  readonly logs: string[];
  readonly running: RunningServe[];
  config(cluster?: string, host?: string): Promise<ResolvedConfig>;
  serve(options?: Partial<ServeOptions>, conf?: ResolvedConfig): Promise<RunningServe>;
  attach(target: string, extra?: HttpAttachOptions & { operator?: string }): Promise<AttachConnection>;
  /** A token file holding TEST_TOKEN, mode 600. */
  tokenFile(): string;
}

/**
 * A temp dir, a one-host fleet polled through the local transport (no SSH, no lab), serves and attaches made in it:
 * all stopped, closed and removed after each test. Call once at the top of a test file.
 */
export function serveTestKit(): ServeKit {
  const running: RunningServe[] = [];
  const open: AttachConnection[] = [];
  const kit: ServeKit = {
    dir: '',
    resolved: undefined as unknown as ResolvedConfig,
    logs: [],
    running,
    async config(cluster = 'here-cluster', host = 'here') {
      const file = join(kit.dir, `${cluster}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          pollIntervalMs: 500,
          auditLog: join(kit.dir, 'audit.jsonl'),
          eventLog: join(kit.dir, 'events.jsonl'),
          hosts: { [host]: { transport: 'local' } },
          clusters: [{ name: cluster, mode: 'nat', vips: ['127.0.0.1'], directors: [{ host }] }],
        }),
      );
      return loadConfig(file);
    },
    async serve(options = {}, conf = kit.resolved) {
      const s = await startServe(conf, {
        socket: join(kit.dir, 'serve.sock'),
        socketMode: 0o600,
        site: 'test',
        log: (l) => kit.logs.push(l),
        // Serve records by default: into the kit's directory, never the user's state directory.
        recordDir: join(kit.dir, 'recordings'),
        ...options,
      });
      running.push(s);
      return s;
    },
    async attach(target, extra = {}) {
      const c = await openAttach(target, { operator: extra.operator ?? 'alice', ...extra, timeoutMs: 5000 });
      open.push(c);
      return c;
    },
    tokenFile() {
      const file = join(kit.dir, 'tokens');
      writeFileSync(file, `${TEST_TOKEN}\n`, { mode: 0o600 });
      return file;
    },
  };
  beforeEach(async () => {
    kit.dir = mkdtempSync(join(tmpdir(), 'lvstop-serve-'));
    kit.resolved = await kit.config();
    kit.logs.length = 0;
  });
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await Promise.all(running.splice(0).map((s) => s.stop()));
    rmSync(kit.dir, { recursive: true, force: true });
  });
  return kit;
}
