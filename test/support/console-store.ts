import type { LvsStore } from '../../src/store/lvs-store.js';
import { configOf, storeFromCaptures, type Captures } from './fixture-store.js';

export const NOW = Date.parse('2026-11-21T18:00:00Z');

export const config = configOf({
  pollIntervalMs: 1000,
  hosts: { director1: {}, director2: {} },
  clusters: [
    {
      name: 'wordpress',
      mode: 'dr',
      vips: ['10.77.0.40'],
      directors: [
        { host: 'director1', keepalived: { instances: ['VI_WEB'] } },
        { host: 'director2', keepalived: { instances: ['VI_WEB'] } },
      ],
    },
    { name: 'second', mode: 'nat', directors: [{ host: 'director2' }] },
  ],
});

const host = {
  loadavg: 'local/loadavg.txt',
  uptime: 'local/uptime.txt',
  meminfo: 'local/meminfo.txt',
  osrelease: 'local/osrelease.txt',
  'ip-addr': 'local/ip-addr.json',
};

/** Real captures: keepalived dumps from a netns pair, director1's IPVS table from the lab's healthy run. */
export const CAPTURES: Captures = {
  director1: {
    ...host,
    keepalived: 'keepalived-netns/healthy-master.dump.txt',
    'sysctl:net.ipv4.ip_forward': 'local/ip_forward.txt',
    'ipvs-list': 'healthy/director1/ipvsadm-Ln.txt',
    'ipvs-stats': 'healthy/director1/ipvsadm-Ln-stats.txt',
  },
  director2: { ...host, keepalived: 'keepalived-netns/fault.dump.txt' },
};

/** A fresh store holding CAPTURES as read at NOW. */
export function capturedStore(readOnly = false): LvsStore {
  return storeFromCaptures(config, CAPTURES, NOW, readOnly);
}
