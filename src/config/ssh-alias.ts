import { readFile } from 'node:fs/promises';
import SSHConfig from 'ssh-config';

/** What an ssh config says about one alias: the fields lvstop honours. */
export interface AliasSettings {
  readonly hostName?: string;
  readonly port?: number;
  readonly user?: string;
  readonly identityFiles: readonly string[];
  readonly proxyJump?: string;
}

export interface SshAliasResolver {
  resolve(alias: string): AliasSettings;
}

export async function loadSshAliases(file: string): Promise<SshAliasResolver> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parsed = SSHConfig.parse(text);
  return {
    resolve(alias) {
      const c = parsed.compute(alias) as Record<string, string | string[] | undefined>;
      const one = (k: string) => {
        const v = c[k];
        return Array.isArray(v) ? v[0] : v;
      };
      const port = one('Port');
      const identity = c['IdentityFile'];
      const proxyJump = one('ProxyJump');
      const hostName = one('HostName');
      const user = one('User');
      return {
        ...(hostName ? { hostName: hostName.replace(/%h/g, alias) } : {}),
        ...(port ? { port: Number(port) } : {}),
        ...(user ? { user } : {}),
        identityFiles: identity === undefined ? [] : Array.isArray(identity) ? identity : [identity],
        ...(proxyJump && proxyJump.toLowerCase() !== 'none' ? { proxyJump } : {}),
      };
    },
  };
}
