import { Box, Text } from 'ink';
import { rateKey, realServerKey, serviceRowId } from '../src/model/ids.js';
import { formatBytesRate, formatRate } from '../src/render/format.js';
import { realServerHealthLines } from '../src/render/health-lines.js';
import { persistenceText, serviceName } from '../src/render/service-rows.js';
import type { DetailTarget } from '../src/render/table-model.js';
import type { LvsState } from '../src/store/lvs-store.js';
import { Sparkline } from './Sparkline.js';

export interface DetailViewProps {
  /** The store as of the last data frame (useStoreFrames). */
  readonly state: LvsState;
  /** The service or the real server to show. */
  readonly detail: DetailTarget;
  readonly width: number;
  readonly height: number;
  /** The console's clock (a replay's recorded time); the wall clock when absent. */
  readonly now?: number;
}

/** A service with per real server sparklines, or a real server across services with its NFS and replication state. */
export function DetailView({ state, detail, width, height, now }: DetailViewProps) {
  const spark = Math.max(10, Math.min(40, width - 60));
  if (detail.kind === 'text')
    return (
      <Box flexDirection="column" width={width}>
        <Text bold wrap="wrap">
          {detail.title}
        </Text>
        {detail.lines.slice(0, Math.max(1, height - 1)).map((l, i) => (
          <Text key={i} wrap="wrap">
            {l}
          </Text>
        ))}
      </Box>
    );
  if (detail.kind === 'service') {
    const { director, service: key } = detail;
    const d = state.ipvs[director];
    const svc = d?.reading.status === 'ok' ? d.reading.table.services.find((s) => s.key === key) : undefined;
    if (!svc)
      return (
        <Text color="yellow">
          service {key} is not on {director} any more
        </Text>
      );
    return (
      <Box flexDirection="column">
        <Text bold>
          {serviceName(svc)} on {director} · scheduler {svc.scheduler}
          {svc.persistence === undefined ? '' : ` · persistent ${persistenceText(svc)}`}
          {svc.persistenceMask ? ` mask ${svc.persistenceMask}` : ''} {svc.flags.join(' ')}
        </Text>
        <Text
          dimColor
        >{`${'REAL SERVER'.padEnd(24)}${'FWD'.padEnd(7)}${'W'.padStart(5)}${'ACT'.padStart(6)}${'INACT'.padStart(7)}  CONN/S ${''.padEnd(spark - 6)} BYTES/S`}</Text>
        {svc.realServers.slice(0, Math.max(1, height - 3)).map((rs) => {
          const id = rateKey(svc.key, rs);
          const h = state.history[director]?.[id];
          const r = d?.realServerRates[id];
          return (
            <Box key={id} gap={1}>
              <Text>{`${realServerKey(rs).padEnd(23)} ${rs.forward.padEnd(6)}${String(rs.weight).padStart(5)}${String(rs.activeConns).padStart(6)}${String(rs.inactiveConns).padStart(7)}`}</Text>
              <Sparkline values={h?.connsPerSec ?? []} width={spark} color="green" />
              <Text>{formatRate(r?.connsPerSec).padStart(6)}</Text>
              <Sparkline values={h?.bytesPerSec ?? []} width={spark} color="cyan" />
              <Text>{formatBytesRate(r ? r.inBytesPerSec + r.outBytesPerSec : undefined).padStart(6)}</Text>
            </Box>
          );
        })}
        <Text dimColor>esc back</Text>
      </Box>
    );
  }
  const address = detail.address;
  const rsHost = state.clusters.flatMap((c) => c.realServers).find((r) => r.address === address)?.host;
  const rows = Object.values(state.ipvs).flatMap((d) =>
    d.reading.status === 'ok'
      ? d.reading.table.services.flatMap((s) =>
          s.realServers.filter((r) => r.address === address).map((r) => ({ director: d.host, s, r })),
        )
      : [],
  );
  const mounts = Object.values(state.nfs).filter((m) => m.host === rsHost);
  const pairs = state.clusters.flatMap((c) => c.replication).filter((p) => p.source === rsHost || p.replica === rsHost);
  return (
    <Box flexDirection="column">
      <Text bold>
        real server {address}
        {rsHost ? ` (${rsHost}: ${state.hosts[rsHost]?.status ?? '?'})` : ''}
      </Text>
      {rows.map(({ director, s, r }) => (
        <Text
          key={serviceRowId(director, s.key)}
        >{`  ${director.padEnd(14)} ${serviceName(s).padEnd(26)} ${r.forward.padEnd(6)} w${r.weight} act ${r.activeConns} inact ${r.inactiveConns}`}</Text>
      ))}
      {realServerHealthLines(state, address, now ?? Date.now()).map((l, i) => (
        <Text key={`health${i}`} color={l.bad ? 'red' : 'green'} wrap="truncate">
          {l.text}
        </Text>
      ))}
      {mounts.map((m) => (
        <Text
          key={m.id}
          color={m.health === 'OK' ? 'green' : 'red'}
        >{`  NFS ${m.mountpoint}: ${m.health ?? '?'} ${m.reason ?? ''}`}</Text>
      ))}
      {pairs.map((p) => (
        <Text key={p.id}>{`  replication ${p.name}: ${p.source} → ${p.replica}`}</Text>
      ))}
      <Text dimColor>esc back</Text>
    </Box>
  );
}
