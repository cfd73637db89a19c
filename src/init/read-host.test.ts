import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../transport/local-transport.js';
import { readDirector } from './read-host.js';

// Following `include` lines, with the real shell doing the glob: a directory laid out like /etc/keepalived from the
// lab's director1 keepalived.conf (with an include line added) and two of Debian's sample files as the included ones.
const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/init');
const dir = mkdtempSync(join(tmpdir(), 'lvstop-ka-'));
mkdirSync(join(dir, 'conf.d'));
const main = join(dir, 'keepalived.conf');
writeFileSync(
  main,
  readFileSync(join(FIXTURES, 'director1/keepalived.conf.txt'), 'utf8') +
    '\ninclude conf.d/*.conf\ninclude keepalived.conf\n',
);
copyFileSync(join(FIXTURES, 'debian-samples/keepalived.conf.fwmark'), join(dir, 'conf.d/10-fwmark.conf'));
copyFileSync(join(FIXTURES, 'debian-samples/keepalived.conf.IPv6'), join(dir, 'conf.d/20-ipv6.conf'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readDirector', () => {
  it('follows relative include globs once each, in order, and merges what they hold', async () => {
    const r = await readDirector('here', new LocalTransport('here'), 10_000, main);
    expect(r.error).toBeUndefined();
    expect(r.confFiles).toEqual([main, join(dir, 'conf.d/10-fwmark.conf'), join(dir, 'conf.d/20-ipv6.conf')]);
    expect(r.keepalived?.instances.map((i) => i.name)).toEqual(['VI_WEB']);
    expect(r.keepalived?.virtualServers.map((v) => v.target)).toEqual(['10.18.11.40 80', 'fwmark 1', 'ae00::1 80']);
  });

  it('a missing keepalived.conf is a finding, not an error', async () => {
    const r = await readDirector('here', new LocalTransport('here'), 10_000, join(dir, 'absent.conf'));
    expect(r.error).toBeUndefined();
    expect(r.keepalived).toBeUndefined();
    expect(r.keepalivedProblem).toMatch(/cannot read .*absent\.conf: .*No such file/);
  });
});
