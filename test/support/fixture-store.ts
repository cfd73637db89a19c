import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SectionOutput } from '../../collectors/section.js';
import type { Config } from '../../src/config/config-schema.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { clusterInfos, planHost } from '../../src/poller/host-plan.js';
import { createLvsStore, type LvsStore } from '../../src/store/lvs-store.js';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures');

export function fixture(path: string): string {
  return readFileSync(resolve(FIXTURES, path), 'utf8');
}

/** Captured output per host: section id to a fixture path (exit 0) or an explicit section result. */
export type Captures = Record<string, Record<string, string | Omit<SectionOutput, 'id'>>>;

/**
 * A fresh store fed through the same path the poller uses (planHost(...).apply), from real captured output:
 * so views are tested on what the parsers make of real text, not on hand-built state.
 */
export function storeFromCaptures(config: Config, captures: Captures, readAt: number, readOnly = false): LvsStore {
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: Object.keys(config.hosts),
    pollIntervalMs: config.pollIntervalMs,
    readOnly,
  });
  applyCaptures(store, config, captures, readAt);
  return store;
}

/** Feed captured output into a store as one poll at `readAt` would, through the poller's own host plans. */
export function applyCaptures(store: LvsStore, config: Config, captures: Captures, readAt: number): void {
  for (const [host, sections] of Object.entries(captures)) {
    const outputs = new Map<string, SectionOutput>(
      Object.entries(sections).map(([id, v]) => [
        id,
        typeof v === 'string' ? { id, stdout: fixture(v), stderr: '', exitCode: 0 } : { id, ...v },
      ]),
    );
    store.getState().hostUp(host, readAt, 40);
    planHost(config, host).apply(outputs, store.getState(), readAt);
  }
}

export function configOf(value: unknown): Config {
  return parseConfigText(JSON.stringify(value), 'fixture.json');
}

/** The lab's DR pair as a config: director1 and director2 in cluster `wordpress` (VIP 10.18.11.40), VRRP VI_WEB. */
export const DR_PAIR_CONFIG = configOf({
  hosts: { director1: {}, director2: {} },
  clusters: [
    {
      name: 'wordpress',
      mode: 'dr',
      vips: ['10.18.11.40'],
      directors: [
        { host: 'director1', keepalived: { instances: ['VI_WEB'] } },
        { host: 'director2', keepalived: { instances: ['VI_WEB'] } },
      ],
    },
  ],
});
