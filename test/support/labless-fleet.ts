import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

/** A config in `dir` whose two hosts need no lab: `down` (nothing listens) and `silent` (accepts, never speaks SSH). */
export interface LablessFleet {
  readonly config: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

export async function startLablessFleet(
  dir: string,
  options: {
    readonly connectTimeoutMs: number;
    /** Give both hosts a throwaway key, so a connect goes as far as the missing banner (else it fails on auth first). */
    readonly withKey?: boolean;
  },
): Promise<LablessFleet> {
  const held: Socket[] = [];
  const silent = createServer((socket) => held.push(socket));
  const silentPort = await listen(silent);
  const closed = createServer();
  const closedPort = await listen(closed);
  await new Promise((r) => closed.close(r));
  let identity = '';
  if (options.withKey) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'id_rsa'), privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    identity = `Host *\n  IdentityFile ${join(dir, 'id_rsa')}\n`;
  }
  writeFileSync(
    join(dir, 'ssh_config'),
    `${identity}Host down\n  HostName 127.0.0.1\n  Port ${closedPort}\nHost silent\n  HostName 127.0.0.1\n  Port ${silentPort}\n`,
  );
  writeFileSync(join(dir, 'known_hosts'), '');
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      sshConfig: './ssh_config',
      knownHosts: './known_hosts',
      lvstopKnownHosts: './lvstop_known_hosts',
      auditLog: './audit.jsonl',
      eventLog: './events.jsonl',
      connectTimeoutMs: options.connectTimeoutMs,
      hosts: { down: {}, silent: {} },
      clusters: [{ name: 'c', mode: 'nat', directors: [{ host: 'down' }, { host: 'silent' }] }],
    }),
  );
  return {
    config,
    close: async () => {
      held.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    },
  };
}
