import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private OpenSSH server on 127.0.0.1 for one test file: its own host keys, client key and config on a free port,
 * run in the foreground (-D) so the test owns its PID and ends it in afterAll. No lab needed.
 */
export interface PrivateSshd {
  readonly dir: string;
  readonly port: number;
  /** The client's private key, authorised for root. */
  readonly identityFile: string;
  /** `[127.0.0.1]:PORT type base64` for each host key, as ssh-keyscan would print them. */
  readonly knownHostsLines: Readonly<Record<'ed25519' | 'rsa', string>>;
  /** Host key blobs (base64). */
  readonly hostKeys: Readonly<Record<'ed25519' | 'rsa', string>>;
  /** Set when started with a host certificate: the CA's public key line. */
  readonly caPublicKey?: string;
  stop(): Promise<void>;
}

export interface PrivateSshdOptions {
  /** Sign the ed25519 host key with a fresh CA and serve the certificate. */
  readonly hostCertificate?: boolean;
}

/** A fresh key pair (RSA at 1024 bits: the smallest OpenSSH accepts, quick to make); the public key line. */
export function keygen(file: string, type: 'ed25519' | 'rsa'): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '1024'] : []), '-N', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startPrivateSshd(options: PrivateSshdOptions = {}): Promise<PrivateSshd> {
  // OpenSSH refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'lvstop-sshd-'));
  const ed = keygen(join(dir, 'host_ed25519'), 'ed25519');
  const rsa = keygen(join(dir, 'host_rsa'), 'rsa');
  const client = keygen(join(dir, 'id_ed25519'), 'ed25519');
  writeFileSync(join(dir, 'authorized_keys'), `${client}\n`, { mode: 0o600 });
  let caPublicKey: string | undefined;
  const certLines: string[] = [];
  if (options.hostCertificate) {
    caPublicKey = keygen(join(dir, 'host_ca'), 'ed25519');
    execFileSync('ssh-keygen', [
      '-q',
      '-s',
      join(dir, 'host_ca'),
      '-h',
      '-I',
      'lvstop-test-host',
      '-n',
      '127.0.0.1,localhost',
      join(dir, 'host_ed25519.pub'),
    ]);
    certLines.push(`HostCertificate ${join(dir, 'host_ed25519-cert.pub')}`);
  }
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `HostKey ${join(dir, 'host_rsa')}`,
      ...certLines,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'UseDNS no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log}`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited ${code}: ${log}`));
    });
  });
  const id = `[127.0.0.1]:${port}`;
  const blob = (line: string) => line.split(' ')[1]!;
  const typed = (line: string) => line.split(' ').slice(0, 2).join(' ');
  return {
    dir,
    port,
    identityFile: join(dir, 'id_ed25519'),
    knownHostsLines: { ed25519: `${id} ${typed(ed)}`, rsa: `${id} ${typed(rsa)}` },
    hostKeys: { ed25519: blob(ed), rsa: blob(rsa) },
    ...(caPublicKey ? { caPublicKey: typed(caPublicKey) } : {}),
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid, 'SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
