import type { IpvsService } from '../../collectors/ipvs-types.js';
import type { FloorRow } from '../model/healthy-floor.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { createTransport } from '../transport/create-transport.js';
import type { Transport } from '../transport/transport.js';
import { fileAuditLog, operatorName, type AuditLog } from './audit-log.js';
import { probeFloorRows } from './probe-floor.js';
import { drainStateFile, fileDrainMemory, type DrainMemory } from './drain-memory.js';

/** Everything an action needs from its surroundings; the UI and the headless commands each make one. */
export interface ActionContext {
  readonly resolved: ResolvedConfig;
  /** The transport for a host: the console passes its open connections, headless commands open their own. */
  transport(host: string): Transport;
  /** Refuse every mutation (--read-only or the config's readOnly). */
  readonly readOnly: boolean;
  readonly audit: AuditLog;
  readonly drained: DrainMemory;
  readonly operator: string;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** How long a failover or release may take to show the VIP on the expected director. */
  readonly failoverTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** The health of one service's real servers on a director, for the floor of healthy servers (none: unchecked). */
  readonly floorRows?: FloorSource;
}

/** Where the floor's verdicts come from: the console's store, or a headless one-off read. */
export type FloorSource = (
  director: string,
  service: IpvsService,
) => Promise<readonly FloorRow[] | undefined> | readonly FloorRow[] | undefined;

export interface ActionContextOptions {
  readonly transport: (host: string) => Transport;
  readonly readOnly?: boolean;
  readonly audit?: AuditLog;
  readonly drained?: DrainMemory;
  readonly operator?: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly failoverTimeoutMs?: number;
  readonly floorRows?: FloorSource;
}

export const DEFAULT_FAILOVER_TIMEOUT_MS = 15_000;

export function createActionContext(resolved: ResolvedConfig, options: ActionContextOptions): ActionContext {
  const now = options.now ?? Date.now;
  return {
    resolved,
    transport: options.transport,
    readOnly: options.readOnly ?? resolved.config.readOnly,
    audit: options.audit ?? fileAuditLog(resolved.auditLog),
    drained: options.drained ?? fileDrainMemory(drainStateFile(resolved.auditLog), now),
    operator: options.operator ?? operatorName(),
    now,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    failoverTimeoutMs: options.failoverTimeoutMs ?? DEFAULT_FAILOVER_TIMEOUT_MS,
    commandTimeoutMs: resolved.config.commandTimeoutMs,
    ...(options.floorRows ? { floorRows: options.floorRows } : {}),
  };
}

/** A context that opens a transport per host on first use; close() closes them all. */
export function headlessActionContext(
  resolved: ResolvedConfig,
  options: Omit<ActionContextOptions, 'transport'> & { readonly acceptNew?: boolean } = {},
): { readonly ctx: ActionContext; close(): Promise<void> } {
  const open = new Map<string, Transport>();
  const transport = (host: string) => {
    let t = open.get(host);
    if (!t) {
      t = createTransport(resolved, host, options.acceptNew ? { acceptNew: true } : {});
      open.set(host, t);
    }
    return t;
  };
  return {
    ctx: createActionContext(resolved, {
      // No probes run here: the service's real servers are probed once from the director.
      floorRows: (director, service) => {
        const cluster = resolved.config.clusters.find((c) => c.directors.some((d) => d.host === director));
        return cluster ? probeFloorRows(transport(director), cluster, service) : undefined;
      },
      ...options,
      transport,
    }),
    close: async () => {
      await Promise.all([...open.values()].map((t) => t.close().catch(() => undefined)));
    },
  };
}
