/**
 * Grow a real `ipvsadm -L -n --exact` / `--stats --exact` capture to a large table for benchmarks: the first service
 * block of each is repeated with new VIPs and real-server addresses; every line keeps the captured layout.
 */
export function scaleIpvsCapture(
  list: string,
  stats: string,
  services: number,
  realServers: number,
): { list: string; stats: string } {
  return { list: scale(list, services, realServers, false), stats: scale(stats, services, realServers, true) };
}

function scale(text: string, services: number, realServers: number, isStats: boolean): string {
  const lines = text.split('\n');
  const headerEnd = lines.findIndex((l) => /^(TCP|UDP|SCTP|FWM)\s/.test(l));
  const header = lines.slice(0, headerEnd);
  const svcLine = lines[headerEnd]!;
  const rsLine = lines.slice(headerEnd + 1).find((l) => /^\s+->/.test(l))!;
  const out = [...header];
  for (let s = 0; s < services; s++) {
    const vip = `10.${100 + Math.floor(s / 65536)}.${Math.floor(s / 256) % 256}.${s % 256}`;
    out.push(svcLine.replace(/\d+\.\d+\.\d+\.\d+(?=:\d+)/, vip));
    for (let r = 0; r < realServers; r++) {
      const rip = `192.${168 + (r % 8)}.${Math.floor(s / 256) % 256}.${(s + r) % 256}`;
      let line = rsLine.replace(/\d+\.\d+\.\d+\.\d+(?=:\d+)/, rip.padEnd(0));
      if (isStats) line = line.replace(/\d+(?=\s*$)/, String(1000 + s + r));
      out.push(line);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The same table a poll later: every counter moved on by a few units. */
export function advanceCounters(stats: string, step: number): string {
  return stats
    .split('\n')
    .map((l) =>
      /^(TCP|UDP|SCTP|FWM|\s+->)/.test(l)
        ? l.replace(/(\s)(\d+)(?=\s|$)/g, (m, sp: string, n: string, offset: number) =>
            offset < 20 ? m : `${sp}${Number(n) + step}`,
          )
        : l,
    )
    .join('\n');
}
