import { fixture } from './action-fixtures.js';
import { ScriptedDirector } from './scripted-director.js';

/** Edit one real server line of an `ipvsadm -L -n` text, as `ipvsadm -e` would change the table. */
export function setRow(list: string, service: string, rs: string, forward: string, weight: number): string {
  const lines = list.split('\n');
  const start = lines.findIndex((l) => l.startsWith(service));
  const i = lines.findIndex((l, n) => n > start && l.startsWith(`  -> ${rs} `));
  lines[i] = `  -> ${rs.padEnd(28)}${forward.padEnd(8)}${String(weight).padEnd(7)}0          0`;
  return lines.join('\n');
}

/** A NAT director whose ipvsadm -e really changes what the next read returns. */
export function natDirector(list = fixture('healthy/nat-director/ipvsadm-Ln.txt')): ScriptedDirector {
  const t = new ScriptedDirector('nat-director', {
    'ipvs-list': list,
    'ipvs-thresholds': fixture('actions/nat-director-thresholds.txt'),
  });
  t.onCommand = (argv) => {
    if (argv[1] !== '-e') return undefined;
    const [, , flag, svc, , rs, fwd, , w] = argv;
    const proto = flag === '-t' ? 'TCP  ' : flag === '-u' ? 'UDP  ' : 'FWM  ';
    const forward = fwd === '-m' ? 'Masq' : fwd === '-g' ? 'Route' : 'Tunnel';
    const current = t.sections.get('ipvs-list')!.stdout;
    t.sections.set('ipvs-list', { stdout: setRow(current, `${proto}${svc}`, rs!, forward, Number(w)) });
    return undefined;
  };
  return t;
}

/** Drain real1 from the NAT director's HTTP service: the request most action tests start from. */
export const DRAIN_REAL1 = {
  cluster: 'discuz',
  director: 'nat-director',
  service: 'tcp:172.16.60.22:80',
  realServer: '192.168.60.99:80',
  change: { kind: 'drain' },
} as const;
