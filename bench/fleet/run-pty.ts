/**
 * The console as an operator runs it (`node dist/bundle/lvstop.js -c CONFIG`, the package's bin, in an 80x24
 * pseudo-terminal), against the private sshd:
 *   --case startup: 10 hosts (5 clusters), first frame, first data and all hosts up after spawn;
 *   --case keys:    one director serving 2,000 real servers (200 services x 10) at a 1 s interval, keypress-to-frame.
 *
 *   node dist/bench/fleet/run-pty.js --case keys [--keys 100] [--out file.json] [--main dist/src/main.js]
 *
 * --main runs another entry point (the unbundled tsc output `dist/src/main.js`, to compare).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { capturedTable, REPO, writeFleetConfig } from './fleet-config.js';
import { startFleetSshd } from './sshd-harness.js';

const { values: args } = parseArgs({
  options: {
    case: { type: 'string', default: 'keys' },
    keys: { type: 'string', default: '100' },
    dump: { type: 'string' },
    main: { type: 'string', default: 'dist/bundle/lvstop.js' },
    out: { type: 'string' },
  },
});

const CASES = {
  startup: {
    table: capturedTable(),
    hosts: 10,
    directorsPerCluster: 2,
    intervalMs: 2000,
    keys: 0,
    dataMarker: '172.16.60.22',
    // At 80 columns five cluster tabs squeeze the header to `10/10 ` (the word `up` is cut).
    allUpMarker: '10/10',
  },
  keys: {
    table: capturedTable({ services: 200, realServers: 10 }),
    hosts: 1,
    directorsPerCluster: 1,
    intervalMs: 1000,
    keys: Number(args.keys),
    dataMarker: '10.100.0.0',
    allUpMarker: '1/1',
  },
} as const;

async function main() {
  const c = CASES[args.case as keyof typeof CASES];
  if (!c) throw new Error(`unknown case ${args.case} (startup or keys)`);
  const sshd = await startFleetSshd(c.table);
  const onSignal = () => process.exit(130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const config = writeFleetConfig(sshd, c);
    const text = execFileSync(
      'python3',
      [
        resolve(REPO, 'bench/fleet/pty-console.py'),
        '--config',
        config,
        '--main',
        resolve(REPO, args.main),
        '--keys',
        String(c.keys),
        '--data-marker',
        c.dataMarker,
        '--all-up-marker',
        c.allUpMarker,
        '--timeout',
        '120',
        ...(args.dump ? ['--dump', args.dump] : []),
      ],
      { encoding: 'utf8', timeout: 180_000 },
    );
    const measured = JSON.parse(text.trim().split('\n').pop()!) as Record<string, unknown>;
    const result = {
      case: args.case,
      main: args.main,
      hosts: c.hosts,
      intervalMs: c.intervalMs,
      table:
        args.case === 'keys'
          ? '200 services x 10 real servers = 2,000 RS rows (grown from healthy/nat-director)'
          : 'healthy/nat-director',
      ...measured,
    };
    const out = `${JSON.stringify(result, null, 2)}\n`;
    if (args.out) writeFileSync(args.out, out);
    process.stdout.write(out);
  } finally {
    await sshd.stop();
  }
}

await main();
process.exit(0);
