import { readFile } from 'node:fs/promises';
import type * as Ssh2Module from 'ssh2';
import type { AgentAuthMethod, AuthMethod, BaseAgent, NoAuthMethod, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import type { SshEndpoint } from './endpoint.js';
import { classifySshError, transportError } from './transport-error.js';

type Ssh2 = typeof Ssh2Module;

/** The keys of an endpoint's identity files that can be used, in order, and why the others cannot. */
export interface Identities {
  readonly keys: readonly { readonly file: string; readonly key: ParsedKey }[];
  /** Public key blobs (base64) of every identity file, usable or not (an encrypted key's `.pub`): IdentitiesOnly. */
  readonly publicBlobs: ReadonlySet<string>;
  readonly skipped: readonly string[];
}

async function readIfThere(file: string, host: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw classifySshError(err, host, `read key ${file}`);
  }
}

/** Every IdentityFile in order, as ssh offers them; one that is encrypted (the agent may hold it) is skipped. */
export async function loadIdentities(endpoint: SshEndpoint, ssh2: Ssh2): Promise<Identities> {
  const keys: { file: string; key: ParsedKey }[] = [];
  const publicBlobs = new Set<string>();
  const skipped: string[] = [];
  for (const file of endpoint.identityFiles) {
    const text = await readIfThere(file, endpoint.name);
    const parsed = text ? ssh2.utils.parseKey(text) : undefined;
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key && !(key instanceof Error)) {
      keys.push({ file, key });
      publicBlobs.add(key.getPublicSSH().toString('base64'));
      continue;
    }
    if (key instanceof Error) skipped.push(`${file}: ${key.message}`);
    const pub = await readIfThere(`${file}.pub`, endpoint.name);
    const pubKey = pub ? ssh2.utils.parseKey(pub) : undefined;
    const one = Array.isArray(pubKey) ? pubKey[0] : pubKey;
    if (one && !(one instanceof Error)) publicBlobs.add(one.getPublicSSH().toString('base64'));
  }
  return { keys, publicBlobs, skipped };
}

/** An agent that offers only the keys of the identity files (IdentitiesOnly yes). */
function onlyIdentities(ssh2: Ssh2, socket: string, blobs: ReadonlySet<string>): BaseAgent {
  const agent = new ssh2.OpenSSHAgent(socket);
  const all = agent.getIdentities.bind(agent);
  agent.getIdentities = (cb) =>
    all((err, keys) => {
      if (err) return cb(err);
      cb(
        undefined,
        (keys ?? []).filter((k) => blobs.has((k as ParsedKey).getPublicSSH().toString('base64'))),
      );
    });
  return agent;
}

/** The methods tried in order: each identity file's key, then the agent. */
export function authMethods(endpoint: SshEndpoint, ids: Identities, ssh2: Ssh2): AuthMethod[] {
  if (ids.keys.length === 0 && !endpoint.agent) {
    const tried = endpoint.identityFiles.join(', ') || 'none';
    const why = ids.skipped.length > 0 ? `; ${ids.skipped.join('; ')}` : '';
    throw transportError('auth', endpoint.name, 'connect', `no usable identity file (${tried}) and no ssh-agent${why}`);
  }
  const username = endpoint.user;
  const none: NoAuthMethod = { type: 'none', username };
  const keys = ids.keys.map(({ key }): PublicKeyAuthMethod => ({ type: 'publickey', username, key }));
  const agent: AgentAuthMethod[] = endpoint.agent
    ? [
        {
          type: 'agent',
          username,
          agent: endpoint.identitiesOnly ? onlyIdentities(ssh2, endpoint.agent, ids.publicBlobs) : endpoint.agent,
        },
      ]
    : [];
  return [none, ...keys, ...agent];
}
