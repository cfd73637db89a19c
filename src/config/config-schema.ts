import { z } from 'zod';

export const MIN_POLL_INTERVAL_MS = 500;

/**
 * A value that ends up as an operand of a command (a path, host, target): it must not read as an option.
 * Commands put `--` before operands too; this keeps the config honest on its own.
 */
const notAnOption = [
  (s: string) => !s.startsWith('-'),
  'must not start with "-" (a command would read it as an option)',
] as const;
const operand = z
  .string()
  .min(1)
  .refine(...notAnOption);
const hostName = z
  .string()
  .min(1, 'expected a non-empty host name')
  .refine(...notAnOption);

export const HostSchema = z.strictObject({
  /** `ssh` (default) or `local`: run commands on this machine without SSH. */
  transport: z.enum(['ssh', 'local']).default('ssh'),
  /** Alias looked up in the ssh config; defaults to the host's key in `hosts`. */
  sshAlias: operand.optional(),
  /** HostName; overrides the ssh config. */
  address: operand.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  user: operand.optional(),
  identityFile: operand.optional(),
  /** Use the ssh-agent from SSH_AUTH_SOCK (default: when it is set). */
  agent: z.boolean().optional(),
  /** Jump host: a key of `hosts`, an ssh alias, or `[user@]host[:port]`; comma-separated for a chain. */
  jump: operand.optional(),
  /** Run commands through `sudo -n` (for a non-root user). */
  sudo: z.boolean().default(false),
});

export const KeepalivedSchema = z.strictObject({
  /** vrrp_instance names this director runs. */
  instances: z.array(operand).min(1),
  /** track_file paths declared in keepalived.conf for forcing state at run time. */
  trackFiles: z
    .strictObject({
      /** A track_file with `weight 1`: the console writes a signed priority delta. */
      priority: operand.optional(),
      /** A track_file with `weight 0`: a non-zero value forces FAULT. */
      fault: operand.optional(),
    })
    .default({}),
  pidFile: operand.default('/run/keepalived.pid'),
  notifyLog: operand.optional(),
});

export const DirectorSchema = z.strictObject({
  host: hostName,
  /** The director's address toward the real servers (NAT gateway). */
  dip: operand.optional(),
  keepalived: KeepalivedSchema.optional(),
});

export const RealServerSchema = z.strictObject({
  host: hostName.optional(),
  address: operand,
});

const Endpoint = z.strictObject({ host: hostName, path: operand });

export const ReplicationSchema = z.strictObject({
  name: z.string().min(1),
  source: Endpoint,
  replica: Endpoint,
  heartbeatFile: operand.default('.lvstop-heartbeat'),
  rsyncTarget: operand.optional(),
  pusher: operand.optional(),
  warnSeconds: z.number().positive().default(5),
  criticalSeconds: z.number().positive().default(30),
});

export const NfsMountSchema = z.strictObject({
  host: hostName,
  mountpoint: z.string().startsWith('/', 'expected an absolute path'),
  export: operand.optional(),
  probeTimeoutMs: z.number().int().min(200).default(3000),
  slowMs: z.number().int().min(1).default(500),
  /** Check that this user can create a file on the mount (default: the user of the web server's worker processes). */
  writeAs: z
    .string()
    .regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, 'expected a user name')
    .optional(),
  /** The directory the write check creates its file in (default: the mountpoint). */
  writePath: z.string().startsWith('/', 'expected an absolute path').optional(),
  /** The write check runs at most this often (it creates and removes a file on the export). */
  writeIntervalMs: z.number().int().min(1000).default(30_000),
  writeCheck: z.boolean().default(true),
  /** The configured host that is this mount's NFS server: its exports are read to explain the write check. */
  server: hostName.optional(),
});

/**
 * Probes of every real server from its director. A server with a keepalived checker is probed the checker's way;
 * `default` is how the others are (keepalived-less clusters: a TCP connect, or an HTTP GET for web services).
 */
export const HealthProbesSchema = z.strictObject({
  enabled: z.boolean().default(true),
  deadlineMs: z.number().int().min(100).max(10_000).default(1000),
  /** At most this many probes in one round: a bigger table is probed in turns, each server every few rounds. */
  maxPerRound: z.number().int().min(1).max(1024).default(64),
  /**
   * The probes' CPU on the director is kept to this share of what its poll costs there (both measured by the
   * shells' own `times`): a round probes as many servers as fit, the next round the next ones.
   */
  costShare: z.number().min(0.01).max(10).default(0.2),
  /** Consecutive failed probes before a server is called down. */
  failuresToDown: z.number().int().min(1).max(20).default(2),
  default: z
    .strictObject({
      kind: z.enum(['tcp', 'http']).default('tcp'),
      path: z.string().startsWith('/', 'expected a path starting with /').default('/'),
      /** HTTP status codes that mean up. */
      expect: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
    })
    .prefault({}),
});

export const ClusterSchema = z.strictObject({
  name: z.string().min(1),
  mode: z.enum(['nat', 'dr', 'tun']),
  vips: z.array(operand).default([]),
  healthProbes: HealthProbesSchema.prefault({}),
  /** The floor of healthy weighted servers a weight change may not go under: a count, or "N%" of the weighted. */
  minHealthy: z
    .union([
      z.number().int().min(0),
      z.string().regex(/^(100|[1-9]?[0-9])%$/, 'expected a count or a percentage like "50%"'),
    ])
    .optional(),
  directors: z.array(DirectorSchema).min(1, 'expected at least one director'),
  realServers: z.array(RealServerSchema).default([]),
  replication: z.array(ReplicationSchema).default([]),
  nfs: z.array(NfsMountSchema).default([]),
});

export const ConfigSchema = z
  .strictObject({
    /** ssh config file for host aliases (default ~/.ssh/config). */
    sshConfig: z.string().min(1).optional(),
    /** known_hosts files to verify against (default ~/.ssh/known_hosts). */
    knownHosts: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    /** The console's own known_hosts, where --accept-new records keys (default ~/.config/lvstop/known_hosts). */
    lvstopKnownHosts: z.string().min(1).optional(),
    pollIntervalMs: z
      .number()
      .int()
      .min(MIN_POLL_INTERVAL_MS, `expected at least ${MIN_POLL_INTERVAL_MS} ms`)
      .default(2000),
    commandTimeoutMs: z.number().int().min(500).default(10_000),
    connectTimeoutMs: z.number().int().min(500).default(10_000),
    maxChannelsPerHost: z.number().int().min(1).max(64).default(8),
    readOnly: z.boolean().default(false),
    /** Every mutating action needs a reason (the dialog's reason line, headless --reason). */
    requireReason: z.boolean().default(false),
    auditLog: z.string().min(1).optional(),
    eventLog: z.string().min(1).optional(),
    /** Where serve (and the console with --record) record (default $XDG_STATE_HOME/lvstop/recordings). */
    recordDir: z.string().min(1).optional(),
    /** Total size of the recordings kept; the oldest segments go first. */
    recordMaxBytes: z
      .number()
      .int()
      .min(1024 * 1024, 'expected at least 1 MiB')
      .default(2 * 1024 ** 3),
    /** Recordings older than this go: a duration like 7d, 36h, 90m. */
    recordMaxAge: z
      .string()
      .regex(/^(\d+(ms|s|m|h|d))+$/, 'expected a duration like 7d, 36h or 90m')
      .default('7d'),
    /** Key overrides: command id (see the README's key table) to the keys that trigger it. */
    keys: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
    hosts: z.record(hostName, HostSchema),
    clusters: z.array(ClusterSchema).min(1, 'expected at least one cluster'),
  })
  .superRefine((config, ctx) => {
    const known = new Set(Object.keys(config.hosts));
    const requireHost = (name: string | undefined, path: (string | number)[]) => {
      if (name !== undefined && !known.has(name))
        ctx.addIssue({ code: 'custom', path, message: `unknown host "${name}" (not a key of "hosts")` });
    };
    const names = new Set<string>();
    config.clusters.forEach((cluster, ci) => {
      if (names.has(cluster.name))
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', ci, 'name'],
          message: `duplicate cluster name "${cluster.name}"`,
        });
      names.add(cluster.name);
      cluster.directors.forEach((d, i) => requireHost(d.host, ['clusters', ci, 'directors', i, 'host']));
      cluster.realServers.forEach((r, i) => requireHost(r.host, ['clusters', ci, 'realServers', i, 'host']));
      cluster.replication.forEach((r, i) => {
        requireHost(r.source.host, ['clusters', ci, 'replication', i, 'source', 'host']);
        requireHost(r.replica.host, ['clusters', ci, 'replication', i, 'replica', 'host']);
        if (r.criticalSeconds < r.warnSeconds)
          ctx.addIssue({
            code: 'custom',
            path: ['clusters', ci, 'replication', i, 'criticalSeconds'],
            message: 'expected criticalSeconds >= warnSeconds',
          });
      });
      cluster.nfs.forEach((m, i) => {
        requireHost(m.host, ['clusters', ci, 'nfs', i, 'host']);
        if (m.server) requireHost(m.server, ['clusters', ci, 'nfs', i, 'server']);
      });
    });
  });

export type Config = z.infer<typeof ConfigSchema>;
export type HostConfig = z.infer<typeof HostSchema>;
export type ClusterConfig = z.infer<typeof ClusterSchema>;
export type DirectorConfig = z.infer<typeof DirectorSchema>;
export type ReplicationConfig = z.infer<typeof ReplicationSchema>;
export type NfsMountConfig = z.infer<typeof NfsMountSchema>;
