import { describe, expect, it } from 'vitest';
import { servicesLeftWithoutWeight } from './weight-guard.js';

const svc = (weights: Record<string, number>) => [
  { host: 'nat-director', serviceKey: 'TCP 172.16.60.22:80', weights: new Map(Object.entries(weights)) },
];
const row = (realServer: string, after: number) => ({
  host: 'nat-director',
  service: { key: 'TCP 172.16.60.22:80' },
  realServer,
  after,
});

describe('last real server guard', () => {
  it('flags draining the last real server with weight', () => {
    expect(servicesLeftWithoutWeight([row('a:80', 0)], svc({ 'a:80': 1, 'b:80': 0 }))).toEqual([
      'nat-director TCP 172.16.60.22:80',
    ]);
  });

  it('lets a drain through while another real server keeps weight', () => {
    expect(servicesLeftWithoutWeight([row('a:80', 0)], svc({ 'a:80': 1, 'b:80': 1 }))).toEqual([]);
  });

  it('flags draining every real server at once, and not a service that had no weight anyway', () => {
    expect(servicesLeftWithoutWeight([row('a:80', 0), row('b:80', 0)], svc({ 'a:80': 1, 'b:80': 5 }))).toHaveLength(1);
    expect(servicesLeftWithoutWeight([row('a:80', 0)], svc({ 'a:80': 0, 'b:80': 0 }))).toEqual([]);
  });

  it('ignores services the change does not touch', () => {
    expect(servicesLeftWithoutWeight([], svc({ 'a:80': 0 }))).toEqual([]);
  });
});
