import { Box, Text } from 'ink';
import { detailSparkWidth, realServerDetail, serviceDetail, serviceDetailHeading } from '../src/render/detail-model.js';
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
  if (detail.kind === 'text')
    return <TextDetail title={detail.title} lines={detail.lines} width={width} height={height} />;
  if (detail.kind === 'service')
    return (
      <ServiceDetailView
        state={state}
        director={detail.director}
        service={detail.service}
        width={width}
        height={height}
      />
    );
  return <RealServerDetailView state={state} address={detail.address} now={now ?? Date.now()} />;
}

function TextDetail({
  title,
  lines,
  width,
  height,
}: {
  title: string;
  lines: readonly string[];
  width: number;
  height: number;
}) {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="wrap">
        {title}
      </Text>
      {lines.slice(0, Math.max(1, height - 1)).map((l, i) => (
        <Text key={i} wrap="wrap">
          {l}
        </Text>
      ))}
    </Box>
  );
}

function ServiceDetailView(props: {
  state: LvsState;
  director: string;
  service: string;
  width: number;
  height: number;
}) {
  const spark = detailSparkWidth(props.width);
  const detail = serviceDetail(props.state, props.director, props.service, Math.max(1, props.height - 3));
  if (detail.kind === 'missing') return <Text color="yellow">{detail.text}</Text>;
  return (
    <Box flexDirection="column">
      <Text bold>{detail.title}</Text>
      <Text dimColor>{serviceDetailHeading(spark)}</Text>
      {detail.rows.map((row) => (
        <Box key={row.id} gap={1}>
          <Text>{row.text}</Text>
          <Sparkline values={row.connsHistory} width={spark} color="green" />
          <Text>{row.connsRate}</Text>
          <Sparkline values={row.bytesHistory} width={spark} color="cyan" />
          <Text>{row.bytesRate}</Text>
        </Box>
      ))}
      <Text dimColor>esc back</Text>
    </Box>
  );
}

function RealServerDetailView({ state, address, now }: { state: LvsState; address: string; now: number }) {
  const detail = realServerDetail(state, address, now);
  return (
    <Box flexDirection="column">
      <Text bold>{detail.title}</Text>
      {detail.services.map((l) => (
        <Text key={l.key}>{l.text}</Text>
      ))}
      {detail.health.map((l, i) => (
        <Text key={`health${i}`} color={l.bad ? 'red' : 'green'} wrap="truncate">
          {l.text}
        </Text>
      ))}
      {detail.mounts.map((m) => (
        <Text key={m.key} color={m.ok ? 'green' : 'red'}>
          {m.text}
        </Text>
      ))}
      {detail.replication.map((p) => (
        <Text key={p.key}>{p.text}</Text>
      ))}
      {detail.connections.map((c) => (
        <Text key={c.key} wrap="truncate">
          {c.text}
        </Text>
      ))}
      <Text dimColor>esc back</Text>
    </Box>
  );
}
