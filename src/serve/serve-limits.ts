/** Bounds that keep one serve's connections and memory finite whatever its clients do. */
export interface ServeLimits {
  /** Consoles connected at once (saying hello or attached), socket and TCP together; beyond it one is refused. */
  readonly maxClients: number;
  /** A console that has not said hello this long after connecting is closed. */
  readonly helloTimeoutMs: number;
  /**
   * A TCP connection that sends nothing this long before it attaches (or between /metrics requests) is closed; also
   * the deadline for its TLS handshake and its request headers.
   */
  readonly idleTimeoutMs: number;
  /** TCP connections per listener that have not attached yet; beyond it the oldest is closed. */
  readonly maxPendingConnections: number;
  /** Output queued for one console that does not read; beyond it the console is disconnected. */
  readonly maxQueuedBytes: number;
  /** Output queued for all consoles together; beyond it the one with the most queued is disconnected, and so on. */
  readonly maxTotalQueuedBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_SERVE_LIMITS: ServeLimits = {
  maxClients: 64,
  helloTimeoutMs: 10_000,
  idleTimeoutMs: 10_000,
  maxPendingConnections: 128,
  maxQueuedBytes: 64 * MiB,
  maxTotalQueuedBytes: 256 * MiB,
};
