import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigSchema } from '../../src/config/config-schema.js';
import type { ResolvedConfig } from '../../src/config/load-config.js';
import { createActionContext, type ActionContext } from '../../src/actions/action-context.js';
import type { AuditLog, AuditRecord } from '../../src/actions/audit-log.js';
import { memoryDrainMemory } from '../../src/actions/drain-memory.js';
import type { Transport } from '../../src/transport/transport.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');

/** A captured fixture's text: `fixture('healthy/nat-director/ipvsadm-Ln.txt')`. */
export const fixture = (path: string) => readFileSync(resolve(FIXTURES, path), 'utf8');

/** The lab's two clusters, as .lab/lvstop.json describes them. */
export function labLikeConfig(overrides: { readOnly?: boolean; requireReason?: boolean } = {}): ResolvedConfig {
  const trackFiles = { priority: '/etc/keepalived/lvstop_prio', fault: '/etc/keepalived/lvstop_fault' };
  const config = ConfigSchema.parse({
    readOnly: overrides.readOnly ?? false,
    requireReason: overrides.requireReason ?? false,
    hosts: { 'nat-director': {}, real1: {}, real2: {}, director1: {}, director2: {}, web1: {}, web2: {} },
    clusters: [
      {
        name: 'discuz',
        mode: 'nat',
        directors: [{ host: 'nat-director', dip: '192.168.60.1' }],
        vips: ['172.16.60.22'],
        realServers: [
          { host: 'real1', address: '192.168.60.99' },
          { host: 'real2', address: '192.168.60.40' },
        ],
      },
      {
        name: 'wordpress',
        mode: 'dr',
        directors: [
          { host: 'director1', keepalived: { instances: ['VI_WEB'], trackFiles } },
          { host: 'director2', keepalived: { instances: ['VI_WEB'], trackFiles } },
        ],
        vips: ['10.18.11.40'],
        realServers: [
          { host: 'web1', address: '10.18.11.21' },
          { host: 'web2', address: '10.18.11.22' },
        ],
      },
    ],
  });
  return {
    file: '/nonexistent/lvstop.json',
    config,
    hosts: new Map(Object.keys(config.hosts).map((name) => [name, { name, transport: 'local' as const, sudo: false }])),
    knownHostsFiles: [],
    lvstopKnownHosts: '/nonexistent/known_hosts',
    auditLog: '/nonexistent/audit.jsonl',
    eventLog: '/nonexistent/events.jsonl',
  };
}

export function memoryAuditLog(): AuditLog & { readonly lines: AuditRecord[] } {
  const lines: AuditRecord[] = [];
  return {
    lines,
    append: async (r) => {
      lines.push(JSON.parse(JSON.stringify(r)) as AuditRecord);
    },
    records: async () => [...lines],
  };
}

/** A context over scripted transports, with an in-memory audit log and drain memory, and a fake clock. */
export function testContext(
  transports: Record<string, Transport>,
  options: { readOnly?: boolean; failoverTimeoutMs?: number; requireReason?: boolean } = {},
): ActionContext & { readonly audit: ReturnType<typeof memoryAuditLog> } {
  let clock = Date.parse('2026-11-21T12:00:00Z');
  const audit = memoryAuditLog();
  const ctx = createActionContext(labLikeConfig({ requireReason: options.requireReason ?? false }), {
    transport: (host) => {
      const t = transports[host];
      if (!t) throw new Error(`no scripted transport for ${host}`);
      return t;
    },
    readOnly: options.readOnly ?? false,
    audit,
    drained: memoryDrainMemory(),
    operator: 'tester@console',
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    failoverTimeoutMs: options.failoverTimeoutMs ?? 15_000,
  });
  return { ...ctx, audit };
}
