import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseIpvsThresholds } from './ipvs-thresholds.js';

const fixture = (name: string) => readFileSync(resolve(import.meta.dirname, '../test/fixtures/actions', name), 'utf8');

it('parses thresholds of every real server of the lab NAT director', () => {
  const parsed = parseIpvsThresholds(fixture('nat-director-thresholds.txt'));
  if (!parsed.ok) throw new Error(parsed.error.message);
  expect([...parsed.value.keys()]).toEqual(['TCP 172.16.60.22:80', 'UDP 172.16.60.22:53', 'FWM 1']);
  expect(parsed.value.get('UDP 172.16.60.22:53')!.get('192.168.60.99:53')).toEqual({ upper: 0, lower: 0 });
});

it('reads non-zero thresholds from the captured ipvsadm transcript', () => {
  const transcript = fixture('ipvsadm-edit-omitted-options.txt');
  const block = transcript.split('\n').slice(6, 8).join('\n');
  const parsed = parseIpvsThresholds(block);
  if (!parsed.ok) throw new Error(parsed.error.message);
  expect(parsed.value.get('TCP 172.16.60.22:9999')!.get('192.168.60.99:9999')).toEqual({ upper: 100, lower: 10 });
});

it('returns a parse error on other output', () => {
  expect(parseIpvsThresholds('TCP  1.2.3.4:80 rr\n  -> 10.0.0.1:80 Masq 1 0 0').ok).toBe(false);
});
