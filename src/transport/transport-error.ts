export type TransportErrorKind =
  | 'host-key-unknown'
  | 'host-key-mismatch'
  | 'auth'
  | 'unreachable'
  | 'timeout'
  | 'exit-code'
  | 'not-found'
  | 'permission'
  | 'parse'
  | 'closed';

/** An error as a value: what went wrong, on which host, during which operation. */
export interface TransportError {
  readonly kind: TransportErrorKind;
  readonly host: string;
  readonly operation: string;
  readonly message: string;
  /** The underlying code (errno name, exit status) where there is one. */
  readonly code?: string | number;
}

export class TransportFailure extends Error {
  readonly detail: TransportError;
  constructor(detail: TransportError) {
    super(`${detail.host}: ${detail.operation}: ${detail.message}`);
    this.name = 'TransportFailure';
    this.detail = detail;
  }
}

export function transportError(
  kind: TransportErrorKind,
  host: string,
  operation: string,
  message: string,
  code?: string | number,
): TransportFailure {
  return new TransportFailure({ kind, host, operation, message, ...(code === undefined ? {} : { code }) });
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
]);

/** Classify an error raised by ssh2 or the socket layer, keeping its code. */
export function classifySshError(err: unknown, host: string, operation: string): TransportFailure {
  if (err instanceof TransportFailure) return err;
  const e = err as { code?: string; level?: string; message?: string };
  const message = e?.message ?? String(err);
  const code = e?.code;
  if (e?.level === 'client-authentication') return transportError('auth', host, operation, message, code);
  if (e?.level === 'client-timeout' || code === 'ETIMEDOUT' || /timed out/i.test(message))
    return transportError('timeout', host, operation, message, code);
  if (code !== undefined && unreachableCodes.has(code))
    return transportError('unreachable', host, operation, message, code);
  if (code === 'ENOENT') return transportError('not-found', host, operation, message, code);
  if (code === 'EACCES' || code === 'EPERM') return transportError('permission', host, operation, message, code);
  return transportError('unreachable', host, operation, message, code);
}

/** One line for an operator: `host: kind: message` for transport failures, the message otherwise. */
export function describeError(err: unknown): string {
  if (err instanceof TransportFailure) return `${err.detail.host}: ${err.detail.kind}: ${err.detail.message}`;
  return err instanceof Error ? err.message : String(err);
}
