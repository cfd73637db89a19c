import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, LAB_CONFIG, labCommand, labPace, runCli, sshLab } from '../support/lab.js';
import { TmuxScreen } from '../support/tmux.js';

let screen: TmuxScreen;
const maxLineCount = (s: string) => s.replace(/\n+$/, '').split('\n').length;

beforeAll(async () => {
  TmuxScreen.pace = await labPace();
  await labCommand('traffic', '300', '60');
  screen = new TmuxScreen('e2e', `node ${CLI} -c ${LAB_CONFIG}`, 120, 40);
});
afterAll(() => screen?.kill());

describe('the console in a real terminal against the lab', () => {
  it('shows both clusters with real servers and non-zero counters', async () => {
    const s = await screen.waitFor(
      (t) => /TCP 172\.16\.60\.22:80/.test(t) && /-> 192\.168\.60\.99:80\s+Masq/.test(t),
      60_000,
      'the discuz service',
    );
    expect(s).toMatch(/-> 192\.168\.60\.40:80\s+Masq/);
    screen.save('01-services-discuz');
    screen.keys('c');
    const wp = await screen.waitFor(
      (t) => /TCP 10\.18\.11\.40:80/.test(t) && /-> 10\.18\.11\.21:80\s+Route/.test(t),
      60_000,
      'the wordpress service',
    );
    expect(wp).toMatch(/rr\s+50s/);
    screen.save('02-services-wordpress');
    screen.keys('c');
  });

  it('walks every view', async () => {
    const expectations: [string, RegExp][] = [
      ['1', /CLUSTER\s+MODE\s+STATE/],
      ['3', /DIRECTOR\s+INSTANCE\s+STATE/],
      ['4', /PAIR\s+SOURCE/],
      ['5', /HOST\s+MOUNT/],
      ['6', /DOCTOR/],
      ['7', /TIME\s+SEV\s+KIND/],
      ['8', /OPERATOR\s+ACTION/],
      ['2', /SERVICE \/ REAL SERVER/],
    ];
    for (const [key, re] of expectations) {
      screen.keys(key);
      await screen.waitFor((t) => re.test(t), 10_000, `view ${key}`);
      screen.save(`03-view-${key}`);
    }
  });

  it('filters, sorts, tags, opens help and a detail view', async () => {
    screen.keys('/');
    screen.type('192.168.60.40');
    screen.keys('Enter');
    const filtered = await screen.waitFor((t) => /filter \/192\.168\.60\.40\//.test(t), 10_000, 'the filter');
    expect(filtered).not.toMatch(/-> 192\.168\.60\.99:80/);
    screen.save('04-filter');
    screen.keys('Escape');
    await screen.waitFor((t) => !/filter \//.test(t) && /\d+ rows/.test(t), 10_000, 'the filter cleared');
    screen.keys('s', 's', 's');
    await screen.waitFor((t) => /PERS\/W?▼/.test(t), 10_000, 'sort marker on the third column');
    screen.keys('S');
    await screen.waitFor((t) => /PERS\/W?▲/.test(t), 10_000, 'reversed sort');
    screen.save('05-sort');
    screen.keys('j', 'j', 'Space');
    await screen.waitFor((t) => /1 tagged/.test(t), 10_000, 'a tagged row');
    screen.save('06-tag');
    screen.keys('?');
    const help = await screen.waitFor((t) => /help: every key/.test(t), 10_000, 'help');
    expect(help).toMatch(/filter rows/);
    screen.save('07-help');
    // Escape alone: a key right behind it would reach the program as Alt+key.
    screen.keys('Escape');
    await screen.waitFor((t) => !/help: every key/.test(t), 10_000, 'help closed');
    screen.keys('g', 'j');
    await new Promise((r) => setTimeout(r, 300));
    screen.keys('Enter');
    const detail = await screen.waitFor(
      (t) => /scheduler wlc/.test(t) && /CONN\/S/.test(t),
      10_000,
      'the service detail',
    );
    expect(detail).toMatch(/192\.168\.60\.99:80/);
    screen.save('08-detail');
    // Escape alone, and seen to close the detail: the next case's first key right behind it would be Alt+key.
    screen.keys('Escape');
    await screen.waitFor((t) => !/scheduler wlc/.test(t) && /\d+ rows/.test(t), 10_000, 'detail closed');
  });

  it('pauses visibly and resumes', async () => {
    screen.keys('p');
    await screen.waitFor((t) => /PAUSED/.test(t), 10_000, 'PAUSED');
    screen.save('09-paused');
    screen.keys('p');
    await screen.waitFor((t) => !/PAUSED/.test(t), 10_000, 'resumed');
  });

  it('adapts to 80x24 and 200x60 and keeps the frame below the terminal height', async () => {
    screen.resize(80, 24);
    const small = await screen.waitFor(
      (t) => /SERVICE \/ REAL SERVER/.test(t) && t.split('\n').every((l) => l.length <= 80),
      10_000,
      '80 columns',
    );
    expect(maxLineCount(small)).toBeLessThanOrEqual(23);
    screen.save('10-80x24');
    screen.resize(200, 60);
    const big = await screen.waitFor(
      (t) => /SERVICE \/ REAL SERVER.*BYTES\/S/.test(t) && t.split('\n').some((l) => l.length > 150),
      10_000,
      '200 columns',
    );
    expect(maxLineCount(big)).toBeLessThanOrEqual(59);
    screen.save('11-200x60');
  });

  it('quits cleanly on q', async () => {
    screen.keys('q');
    const deadline = Date.now() + 10_000;
    while (screen.alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(screen.alive()).toBe(false);
  });
});

describe('snapshot --json', () => {
  it('matches ipvsadm -Ln --exact read directly over ssh', async () => {
    const r = await runCli(['-c', LAB_CONFIG, 'snapshot', '--json'], 90_000);
    const snap = JSON.parse(r.stdout) as {
      hosts: { name: string; state: string }[];
      clusters: {
        name: string;
        directors: {
          host: string;
          services: {
            key: string;
            scheduler: string;
            persistence: number | null;
            realServers: {
              address: string;
              port: number;
              forward: string;
              weight: number;
              counters: { conns: number } | null;
            }[];
          }[];
        }[];
      }[];
    };
    expect(snap.hosts.find((h) => h.name === 'nat-director')?.state).toBe('up');
    const direct = await sshLab('nat-director', 'ipvsadm -L -n --exact');
    const svc = snap.clusters
      .find((c) => c.name === 'discuz')!
      .directors[0]!.services.find((s) => s.key === 'TCP 172.16.60.22:80')!;
    expect(direct).toMatch(new RegExp(`TCP\\s+172\\.16\\.60\\.22:80 ${svc.scheduler} persistent ${svc.persistence}`));
    for (const rs of svc.realServers)
      expect(direct).toMatch(
        new RegExp(`-> ${rs.address.replace(/\./g, '\\.')}:${rs.port}\\s+${rs.forward}\\s+${rs.weight}\\s`),
      );
    expect(svc.realServers.reduce((a, rs) => a + (rs.counters?.conns ?? 0), 0)).toBeGreaterThan(0);
    expect([0, 1]).toContain(r.code);
  });
});
