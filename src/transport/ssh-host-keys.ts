import type { SshEndpoint } from './endpoint.js';
import {
  appendKnownHost,
  knownKeyTypes,
  verifyHostKey,
  type HostKeyVerdict,
  type KnownHostEntry,
} from './known-hosts.js';
import { transportError, type TransportFailure } from './transport-error.js';

const SERVER_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;

/** The host key algorithms to offer: the types known_hosts has for the host first, so its key is the one shown. */
export function hostKeyAlgorithmsFor(entries: readonly KnownHostEntry[], id: string): string[] {
  const known = knownKeyTypes(entries, id).flatMap((t) =>
    t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t],
  );
  return [...new Set([...known, ...SERVER_HOST_KEY_ALGORITHMS])];
}

export function describeVerdict(verdict: HostKeyVerdict): string {
  switch (verdict.kind) {
    case 'match':
      return 'host key matches';
    case 'unknown':
      if (verdict.certAuthority)
        return (
          `host key for ${verdict.hostId} (${verdict.fingerprint}) is trusted in known_hosts only through a ` +
          `@cert-authority line (${verdict.certAuthority.file}:${verdict.certAuthority.line}), and lvstop's SSH ` +
          `library (ssh2) cannot negotiate host certificates; refusing. Add the host's plain key to known_hosts ` +
          `(check it against the certificate) or run with --accept-new to record it`
        );
      return `host key for ${verdict.hostId} is not in known_hosts (${verdict.fingerprint}); refusing. Verify it and run with --accept-new to record it`;
    case 'revoked':
      return `host key for ${verdict.hostId} is marked @revoked (${verdict.fingerprint}) in ${verdict.entry.file}:${verdict.entry.line}`;
    case 'mismatch':
      return (
        `HOST KEY CHANGED for ${verdict.hostId}: server presented ${verdict.fingerprint}, known_hosts has ` +
        verdict.expected.map((e) => `${e.fingerprint} (${e.file}:${e.line})`).join(', ') +
        '. Possible man-in-the-middle; refusing to connect'
      );
  }
}

/** ssh2's host verifier for one hop, and why it refused the key when it did. */
export interface HostKeyCheck {
  readonly verifier: (key: Buffer, verify: (ok: boolean) => void) => void;
  /** The refusal, once the verifier refused the key (unknown, changed, revoked, or not recordable). */
  readonly refusal: () => TransportFailure | undefined;
}

/**
 * Checks the host key against known_hosts under `id`; an unknown key is recorded in `acceptTo` when given (never a
 * changed one). Answered through `verify`: an accepted new key is on disk before the connection goes on, and a key
 * that cannot be recorded refuses the connection with the reason instead of failing somewhere unobserved.
 */
export function hostKeyCheck(
  endpoint: SshEndpoint,
  knownHosts: readonly KnownHostEntry[],
  id: string,
  acceptTo: string | undefined,
): HostKeyCheck {
  let refusal: TransportFailure | undefined;
  const verifier = (key: Buffer, verify: (ok: boolean) => void): void => {
    const verdict = verifyHostKey(knownHosts, id, key);
    if (verdict.kind === 'match') return verify(true);
    if (verdict.kind === 'unknown' && acceptTo) {
      appendKnownHost(acceptTo, id, key).then(
        () => verify(true),
        (err: unknown) => {
          const reason = err instanceof Error ? err.message : String(err);
          refusal = transportError(
            'permission',
            endpoint.name,
            'record host key',
            `cannot record the new host key ${verdict.fingerprint} for ${id} in ${acceptTo}: ${reason}; refusing`,
            (err as NodeJS.ErrnoException).code,
          );
          verify(false);
        },
      );
      return;
    }
    const kind = verdict.kind === 'unknown' ? 'host-key-unknown' : 'host-key-mismatch';
    refusal = transportError(kind, endpoint.name, 'verify host key', describeVerdict(verdict));
    verify(false);
  };
  return { verifier, refusal: () => refusal };
}
