export const VIEWS = [
  'overview',
  'services',
  'vrrp',
  'replication',
  'storage',
  'hosts',
  'events',
  'audit',
  'connections',
] as const;
export type ViewId = (typeof VIEWS)[number];

export const VIEW_TITLES: Record<ViewId, string> = {
  overview: 'Overview',
  services: 'Services',
  vrrp: 'VRRP',
  replication: 'Replication',
  storage: 'Storage',
  hosts: 'Hosts & Doctor',
  events: 'Events',
  audit: 'Audit',
  connections: 'Connections',
};
